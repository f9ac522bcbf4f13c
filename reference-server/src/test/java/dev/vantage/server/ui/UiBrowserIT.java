package dev.vantage.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.vantage.server.e2e.Processes;
import java.time.Duration;
import java.util.Map;
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
    private static final Path ROOT = Processes.ROOT;
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final String PASSWORD = "ui-e2e-admin-password";

    @TempDir
    Path dir;

    private Processes.Jvm server;
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
                "VANTAGE_AGENT_HEARTBEAT", "2s"), dir.resolve("logs"));
        String base = "http://127.0.0.1:" + port;
        Processes.awaitReady(base, server);

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
        assertThat(run.exitValue()).as("e2e failed:\n" + output + "\nserver log:\n" + server.output())
                .isZero();
        assertThat(shots.resolve("04-task-detail.png")).exists();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.stop(Duration.ofSeconds(20));
        }
        if (target != null) {
            target.stop(0);
        }
    }
}
