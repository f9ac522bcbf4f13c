package dev.vantage.benchmarks.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** The few REST calls of the server the harness needs, as admin. Blocking; one request at a time per caller. */
final class ServerApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** An enrolled agent: its id and the value of its {@code Authorization} header. */
    record Enrolled(String agentId, String authorization) {
    }

    private final HttpClient http;
    private final URI base;
    private volatile String bearer;
    private String username;
    private String password;

    ServerApi(URI base) {
        this(base, HttpClient.newBuilder());
    }

    /** The API of a server process, over TLS if it speaks it. */
    ServerApi(ServerProcess server) {
        this(server.base(), server.http());
    }

    private ServerApi(URI base, HttpClient.Builder http) {
        this.base = base;
        this.http = http.connectTimeout(Duration.ofSeconds(5)).build();
    }

    void login(String username, String password) throws IOException, InterruptedException {
        this.username = username;
        this.password = password;
        String json = JSON.writeValueAsString(Map.of("username", username, "password", password));
        bearer = "Bearer " + JSON.readTree(send(HttpRequest.newBuilder(base.resolve("/api/v1/auth/login"))
                .timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)))).path("accessToken").asText();
    }

    String enrollmentToken(int uses) throws IOException, InterruptedException {
        return post("/api/v1/agents/enrollment-tokens", Map.of("uses", uses, "expiresIn", "1h",
                "labels", Map.of("bench", "ingest"))).path("token").asText();
    }

    Enrolled enroll(String token, String name) throws IOException, InterruptedException {
        return enroll(token, name, Map.of());
    }

    Enrolled enroll(String token, String name, Map<String, String> labels) throws IOException, InterruptedException {
        JsonNode n = post("/api/v1/agents/enroll", Map.of("token", token, "name", name, "labels", labels));
        String id = n.path("agentId").asText();
        return new Enrolled(id, "Bearer " + id + "." + n.path("credential").asText());
    }

    /** A tcp task every agent is given; the simulated agents only pretend to run it. */
    String createTask(String name) throws IOException, InterruptedException {
        return post("/api/v1/tasks", Map.of("name", name, "type", "tcp", "target", "127.0.0.1:9", "interval", "1s",
                "selector", Map.of("all", true))).path("id").asText();
    }

    /** Hands every result JSON of one agent and task to {@code each}, page by page. */
    void results(String taskId, String agentId, Consumer<JsonNode> each) throws IOException, InterruptedException {
        String cursor = null;
        do {
            String path = "/api/v1/tasks/" + enc(taskId) + "/results?limit=1000&agent=" + enc(agentId)
                    + (cursor == null ? "" : "&cursor=" + enc(cursor));
            JsonNode page = JSON.readTree(send(request(path).GET()));
            page.path("items").forEach(each);
            cursor = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (cursor != null);
    }

    /** GETs {@code path} (with its query); the answer's JSON. */
    JsonNode page(String path) throws IOException, InterruptedException {
        return JSON.readTree(send(request(path).GET()));
    }

    /** GETs {@code path} and answers the body's length in characters, without parsing it (what a client must read). */
    int length(String path) throws IOException, InterruptedException {
        return send(request(path).GET()).length();
    }

    String metrics() throws IOException, InterruptedException {
        return send(request("/metrics").GET());
    }

    /** POSTs {@code body} as JSON; the answer's JSON. Safe from several threads once logged in. */
    JsonNode post(String path, Map<String, ?> body) throws IOException, InterruptedException {
        String json = JSON.writeValueAsString(body);
        return JSON.readTree(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))));
    }

    /** PUTs {@code body} as JSON; the answer's JSON. */
    JsonNode put(String path, Map<String, ?> body) throws IOException, InterruptedException {
        String json = JSON.writeValueAsString(body);
        return JSON.readTree(send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT);
        return bearer == null ? b : b.header("Authorization", bearer);
    }

    private String send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest r = request.build();
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 401 && bearer != null && r.headers().firstValue("Authorization").isPresent()) {
            // the access token expired (15 min by default) during a long run: sign in again, once
            synchronized (this) {
                if (r.headers().firstValue("Authorization").get().equals(bearer)) {
                    login(username, password);
                }
            }
            r = request.setHeader("Authorization", bearer).build();
            res = http.send(r, HttpResponse.BodyHandlers.ofString());
        }
        if (res.statusCode() / 100 != 2) {
            throw new IOException(r.method() + " " + r.uri().getPath() + " -> " + res.statusCode() + " " + res.body());
        }
        return res.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
