package dev.vantage.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.testkit.TestPluginJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin jar dropped into {@code plugins/} of the real server and of a real remote agent: listed with its
 * checksum, its form served, tasks of its type run by both. The server is started the way an operator adding a jar
 * to the class path does ({@code java -cp vantage-server.jar:extra.jar dev.vantage.server.Main}), which once made
 * every route reading a query parameter answer 500 (Helidon found only one jar's service registry files).
 */
class PluginJarIT {
    private static final String PASSWORD = "plugin-jar-admin-1";
    private static final Path LOGS = Path.of("target/e2e-logs/plugin-jar");

    @TempDir
    Path dir;

    private Processes.Jvm server;
    private Processes.Jvm agent;

    @AfterEach
    void stopAll() throws Exception {
        for (Processes.Jvm j : new Processes.Jvm[] {agent, server}) {
            if (j != null) {
                j.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aPluginJarInPluginsIsListedServedAndRunByServerAndAgent() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = TestPluginJar.write(plugins, "greeting-1.0.jar", "1.0.0");
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jar)));
        Path extra = manifestOnlyJar(dir.resolve("lib/extra.jar"));

        int port = Processes.freePort();
        String base = "http://127.0.0.1:" + port;
        server = Processes.startClassPath("server", Processes.SERVER_JAR, List.of(extra), "dev.vantage.server.Main",
                dir.resolve("server"), Map.of(
                        "SERVER_HOST", "127.0.0.1",
                        "SERVER_PORT", Integer.toString(port),
                        "VANTAGE_DATA_DIR", dir.resolve("server/data").toString(),
                        "VANTAGE_PLUGINS_DIR", plugins.toString(),
                        "VANTAGE_ADMIN_PASSWORD", PASSWORD,
                        "VANTAGE_AGENT_HEARTBEAT", "1s"), LOGS);
        Processes.awaitReady(base, server);
        Api api = new Api(base).login("admin", PASSWORD);

        // a route with query parameters (500 before the shaded jar kept every Helidon manifest)
        Api.Response page = api.get("/api/v1/tasks?limit=1");
        assertThat(page.status()).as(page.text() + "\n" + server.output()).isEqualTo(200);

        // listed with its jar, and its parameters served for the UI's form
        JsonNode greeting = plugin(api, TestPluginJar.TYPE);
        assertThat(greeting.get("jar").get("file").asText()).isEqualTo("greeting-1.0.jar");
        assertThat(greeting.get("jar").get("name").asText()).isEqualTo(TestPluginJar.NAME);
        assertThat(greeting.get("jar").get("version").asText()).isEqualTo("1.0.0");
        assertThat(greeting.get("jar").get("sha256").asText()).isEqualTo(sha256);
        assertThat(greeting.get("parameters").findValuesAsText("name")).containsExactly("salutation", "password");
        assertThat(plugin(api, "tcp").get("jar").isNull()).isTrue();
        assertThat(server.output()).contains("plugin jar greeting-1.0.jar (greeting-plugin 1.0.0, sha256 " + sha256);

        // a remote agent with the same jar in its own plugins directory reports the type
        Api.Response token = api.post("/api/v1/agents/enrollment-tokens", Map.of("uses", 1, "expiresIn", "1h",
                "labels", Map.of("region", "remote")));
        assertThat(token.status()).as(token.text()).isEqualTo(201);
        agent = Processes.start("agent", Processes.AGENT_JAR, dir.resolve("agent"), Map.of(), LOGS,
                "run", "--server", "ws://127.0.0.1:" + port + "/ws/agent",
                "--enroll-token", token.body().get("token").asText(), "--name", "remote",
                "--data-dir", dir.resolve("agent/data").toString(), "--plugins-dir", plugins.toString());
        await("the remote agent online with the plugin's type").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    for (JsonNode a : api.get("/api/v1/agents").body()) {
                        if (a.get("name").asText().equals("remote") && a.get("online").asBoolean()) {
                            return a.get("plugins").findValuesAsText("type").contains(TestPluginJar.TYPE);
                        }
                    }
                    return false;
                });

        // a task of the plugin's type, on every agent (the built-in local one and the remote one)
        Api.Response created = api.post("/api/v1/tasks", Map.of("name", "greet", "type", TestPluginJar.TYPE,
                "target", "operators", "interval", "1s", "timeout", "900ms",
                "params", Map.of("salutation", "welcome", "password", "plugin-secret-1")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String taskId = created.body().get("id").asText();
        await("results from both agents").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode items = api.get("/api/v1/tasks/" + taskId + "/results?limit=100").body().get("items");
                    return items.findValuesAsText("agentId").stream().distinct().count() == 2;
                });
        JsonNode result = api.get("/api/v1/tasks/" + taskId + "/results?limit=1").body().get("items").get(0);
        assertThat(result.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(result.get("attributes").get("greeting").asText()).isEqualTo("welcome operators");
    }

    private static JsonNode plugin(Api api, String type) throws Exception {
        Api.Response r = api.get("/api/v1/plugins");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        for (JsonNode p : r.body().get("items")) {
            if (p.get("type").asText().equals(type)) {
                return p;
            }
        }
        throw new AssertionError("no plugin " + type + " in " + r.text());
    }

    /** A jar with nothing but a manifest: any second jar on the class path. */
    private static Path manifestOnlyJar(Path path) throws Exception {
        Files.createDirectories(path.getParent());
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(path), mf)) {
            out.finish();
        }
        return path;
    }
}
