package dev.vantage.sink.influxdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.questdb.ServerMain;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QuestDB run in-process on a free loopback port: a real server that takes InfluxDB line protocol over HTTP
 * ({@code /api/v2/write}) and answers SQL over HTTP ({@code /exec}), so tests read back what the sink wrote.
 */
public final class QuestDb implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerMain server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public QuestDb(Path root) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QDB_HTTP_BIND_TO", "127.0.0.1:0");
        env.put("QDB_HTTP_MIN_ENABLED", "false");
        env.put("QDB_PG_ENABLED", "false");
        env.put("QDB_LINE_TCP_ENABLED", "false");
        env.put("QDB_LINE_UDP_ENABLED", "false");
        env.put("QDB_TELEMETRY_ENABLED", "false");
        // two cores are shared with other builds: keep QuestDB's thread pools small
        env.put("QDB_SHARED_WORKER_COUNT", "1");
        env.put("QDB_HTTP_WORKER_COUNT", "1");
        env.put("QDB_WAL_APPLY_WORKER_COUNT", "1");
        server = ServerMain.create(root.toString(), env);
        server.start();
    }

    /** The base URL to give the sink, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + server.getHttpServerPort();
    }

    /** Runs a SQL query and returns its rows as column-name-to-value maps; a missing table gives no rows. */
    public List<Map<String, JsonNode>> query(String sql) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/exec?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (body.has("error")) {
            if (body.get("error").asText().contains("does not exist")) {
                return List.of();
            }
            throw new IOException("QuestDB: " + body.get("error").asText() + " in " + sql);
        }
        List<String> names = new ArrayList<>();
        body.get("columns").forEach(c -> names.add(c.get("name").asText()));
        List<Map<String, JsonNode>> rows = new ArrayList<>();
        for (JsonNode row : body.get("dataset")) {
            Map<String, JsonNode> m = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                m.put(names.get(i), row.get(i));
            }
            rows.add(m);
        }
        return rows;
    }

    @Override
    public void close() {
        server.close();
    }
}
