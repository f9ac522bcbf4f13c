package dev.vantage.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.server.e2e.Processes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI in a real browser: starts {@code vantage-server.jar} (UI inside, built-in local agent on), a second
 * agent ({@code vantage-agent.jar}, enrolled with a token that lets it probe loopback) and a loopback HTTP target,
 * then runs {@code ui/e2e/run.mjs}, which drives Debian's headless Chromium with playwright-core through every page.
 * Its alerting part needs two agents (a rule "failing from at least 2 agents") and channels that may reach loopback
 * (its DingTalk receiver), hence {@code VANTAGE_NOTIFY_ALLOW_LOOPBACK}. It also does a whole task's life on a phone
 * viewport, fails on overlapping labels in any chart of the task page and the instant test (latency, distribution,
 * heatmap, shaded maps, agent maps; on the desktop and the phone) and on English left in the Chinese pages. It sends a year of results of a
 * task over an agent WebSocket of its own and reads them in the task's latency heatmap. A failing task with
 * "diagnose on failure" must show the agent's trace as a hop table, and an instant traceroute (to 127.0.0.1, allowed
 * by {@code VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS}'s port 0) its MTR-style table. Screenshots land in
 * {@code reference-server/target/ui-e2e/}.
 */
class UiBrowserIT {
    private static final Path ROOT = Processes.ROOT;
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final String PASSWORD = "ui-e2e-admin-password";

    @TempDir
    Path dir;

    private Processes.Jvm server;
    private Processes.Jvm agent;
    private HttpServer target;

    @Test
    void everyPageWorksInHeadlessChromium() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM))
                .as(CHROMIUM + " is missing; the UI end-to-end test needs Debian's Chromium:"
                        + "  apt-get update && apt-get install -y chromium")
                .isTrue();
        assertThat(ROOT.resolve("ui/node_modules/playwright-core")).as("run the ui module's build first (npm ci)").exists();

        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/", exchange -> {
            byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        target.start();

        int port = Processes.freePort();
        server = Processes.start("server", Processes.SERVER_JAR, dir, Map.of(
                "SERVER_HOST", "127.0.0.1",
                "SERVER_PORT", Integer.toString(port),
                "VANTAGE_ADMIN_PASSWORD", PASSWORD,
                "VANTAGE_LOCAL_AGENT", "true",
                // the e2e pings loopback and starts its own targets on free ports (the server's own stays refused)
                "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", "0-65535",
                "VANTAGE_AGENT_HEARTBEAT", "2s",
                "VANTAGE_PUBLIC_URL", "http://127.0.0.1:" + port,
                "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"), dir.resolve("logs"));
        String base = "http://127.0.0.1:" + port;
        Processes.awaitReady(base, server);
        agent = Processes.start("agent-2", Processes.AGENT_JAR, dir.resolve("agent-2"), Map.of(), dir.resolve("logs"),
                "run", "--server", "ws://127.0.0.1:" + port + "/ws/agent", "--enroll-token", enrollmentToken(base),
                "--name", "e2e-agent-2", "--label", "country=CN", "--label", "province=Shanghai", "--label", "city=Shanghai",
                "--data-dir", dir.resolve("agent-2/data").toString());

        Path shots = Path.of("target/ui-e2e").toAbsolutePath();
        Path log = dir.resolve("e2e.log");
        ProcessBuilder e2e = new ProcessBuilder("node", "e2e/run.mjs", base)
                .directory(ROOT.resolve("ui").toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        e2e.environment().put("E2E_PASSWORD", PASSWORD);
        e2e.environment().put("E2E_AGENTS", "2");
        e2e.environment().put("E2E_TARGET", "http://127.0.0.1:" + target.getAddress().getPort() + "/");
        e2e.environment().put("E2E_SCREENSHOTS", shots.toString());
        Process run = e2e.start();
        boolean finished = run.waitFor(8, TimeUnit.MINUTES);
        if (!finished) {
            run.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("e2e timed out:\n" + output).isTrue();
        assertThat(run.exitValue()).as("e2e failed:\n" + output + "\nserver log:\n" + server.output()
                        + "\nsecond agent's log:\n" + agent.output())
                .isZero();
        assertThat(shots.resolve("04-task-detail.png")).exists();
        assertThat(shots.resolve("04c-task-diagnosis.png")).exists();
        assertThat(shots.resolve("04d-task-heatmap-year.png")).exists();
        assertThat(shots.resolve("07b-instant-traceroute.png")).exists();
        assertThat(shots.resolve("24-incident-resolved.png")).exists();
        assertThat(shots.resolve("34-wall.png")).exists();
        assertThat(shots.resolve("40-phone-task-graphs.png")).exists();
        assertThat(shots.resolve("42-phone-heatmap-year.png")).exists();
    }

    /** A one-use enrollment token (as the admin, over REST) whose agent may probe loopback, like the local agent. */
    private static String enrollmentToken(String base) throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        JsonNode login = post(http, json, base + "/api/v1/auth/login", null,
                Map.of("username", "admin", "password", PASSWORD));
        JsonNode token = post(http, json, base + "/api/v1/agents/enrollment-tokens", login.get("accessToken").asText(),
                Map.of("uses", 1, "expiresIn", "1h", "policy", Map.of("allowLoopback", true)));
        return token.get("token").asText();
    }

    private static JsonNode post(HttpClient http, ObjectMapper json, String url, String bearer, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isBetween(200, 201);
        return json.readTree(r.body());
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.stop(Duration.ofSeconds(10));
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(20));
        }
        if (target != null) {
            target.stop(0);
        }
    }
}
