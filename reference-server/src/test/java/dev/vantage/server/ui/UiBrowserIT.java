package dev.vantage.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI in a real browser: starts {@code vantage-server.jar} (UI inside, built-in local agent on) and a
 * loopback HTTP target, then runs {@code ui/e2e/run.mjs}, which drives Debian's headless Chromium with
 * playwright-core through every page. Screenshots land in {@code reference-server/target/ui-e2e/}.
 */
class UiBrowserIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path SERVER_JAR = ROOT.resolve("reference-server/target/vantage-server.jar");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final String PASSWORD = "ui-e2e-admin-password";

    @TempDir
    Path dir;

    private Process server;
    private HttpServer target;

    @Test
    void everyPageWorksInHeadlessChromium() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM))
                .as(CHROMIUM + " is missing; the UI end-to-end test needs Debian's Chromium:"
                        + "  apt-get update && apt-get install -y chromium")
                .isTrue();
        assertThat(ROOT.resolve("ui/node_modules/playwright-core")).as("run the ui module's build first (npm ci)").exists();
        assertThat(SERVER_JAR).exists();

        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/", exchange -> {
            byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        target.start();

        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", SERVER_JAR.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VANTAGE_") || k.startsWith("SERVER_"));
        pb.environment().put("SERVER_HOST", "127.0.0.1");
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        pb.environment().put("VANTAGE_ADMIN_PASSWORD", PASSWORD);
        pb.environment().put("VANTAGE_LOCAL_AGENT", "true");
        pb.environment().put("VANTAGE_AGENT_HEARTBEAT", "2s");
        server = pb.start();
        String base = "http://127.0.0.1:" + port;
        awaitReady(base);

        Path shots = Path.of("target/ui-e2e").toAbsolutePath();
        Path log = dir.resolve("e2e.log");
        ProcessBuilder e2e = new ProcessBuilder("node", "e2e/run.mjs", base)
                .directory(ROOT.resolve("ui").toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        e2e.environment().put("E2E_PASSWORD", PASSWORD);
        e2e.environment().put("E2E_TARGET", "http://127.0.0.1:" + target.getAddress().getPort() + "/");
        e2e.environment().put("E2E_SCREENSHOTS", shots.toString());
        Process run = e2e.start();
        boolean finished = run.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            run.destroyForcibly().waitFor();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("e2e timed out:\n" + output).isTrue();
        assertThat(run.exitValue()).as("e2e failed:\n" + output + "\nserver log:\n" + Files.readString(dir.resolve("server.log")))
                .isZero();
        assertThat(shots.resolve("04-task-detail.png")).exists();
    }

    private void awaitReady(String base) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server did not become ready:\n" + Files.readString(dir.resolve("server.log")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
        if (target != null) {
            target.stop(0);
        }
    }
}
