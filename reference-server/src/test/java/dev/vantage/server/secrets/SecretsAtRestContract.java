package dev.vantage.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.server.RotateSecrets;
import dev.vantage.server.TestServer;
import dev.vantage.server.alerting.WebhookReceiver;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.secrets.UnreadableSecretException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Secrets at rest on a real server and database (each backend a subclass): the raw rows hold sealed values naming
 * their key, the probe and the channel still get the plaintext, a moved or altered value is an error, rotation moves
 * everything to a new key, and rows an older version stored in the clear are sealed by the migration.
 */
abstract class SecretsAtRestContract {
    static final String KEY_A = "a:" + Base64.getEncoder().encodeToString("key-a-key-a-key-a-key-a-key-a-32".getBytes(StandardCharsets.UTF_8));
    static final String KEY_B = "b:" + Base64.getEncoder().encodeToString("key-b-key-b-key-b-key-b-key-b-32".getBytes(StandardCharsets.UTF_8));
    private static final String TOKEN = "bearer-token-of-the-task-0123";
    private static final String INSTANT_TOKEN = "bearer-token-of-the-instant-test";

    /** A fresh database (and data directory) for one test: its settings. */
    abstract Map<String, String> backend() throws Exception;

    /** The key id the backend's servers seal with when {@code env} configures none. */
    abstract String defaultKeyId(Map<String, String> env);

    @Test
    void secretsAreSealedInTheRowsAndTheProbeAndTheChannelStillGetThePlaintext() throws Exception {
        Map<String, String> env = backend();
        try (BearerReceiver target = new BearerReceiver(); WebhookReceiver hook = new WebhookReceiver();
             TestServer server = TestServer.start(with(env, "VANTAGE_LOCAL_AGENT", "true",
                     "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", Integer.toString(target.port()),
                     "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String keyId = defaultKeyId(env);
            String admin = server.adminToken();
            TestServer.Response task = server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "web",
                    "type", "http", "target", target.url(), "interval", "1s", "timeout", "900ms",
                    "params", Map.of("bearerToken", TOKEN), "selector", Map.of("labels", Map.of("region", "local")))));
            assertThat(task.status()).as(task.body()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(30)).until(() -> target.seen.contains("Bearer " + TOKEN));
            assertSealed(server, "SELECT spec FROM tasks WHERE id = 'web'", TOKEN, "params", "bearerToken", keyId);
            assertThat(server.get("/api/v1/tasks/web", admin).json().get("params").get("bearerToken").asText())
                    .isEqualTo("******");

            TestServer.Response instant = server.post("/api/v1/instant-tests", admin, JsonMapping.write(Map.of(
                    "type", "http", "target", target.url(), "params", Map.of("bearerToken", INSTANT_TOKEN),
                    "selector", Map.of("labels", Map.of("region", "local")))));
            assertThat(instant.status()).as(instant.body()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(30)).until(() -> target.seen.contains("Bearer " + INSTANT_TOKEN));
            assertSealed(server, "SELECT spec FROM instant_tests WHERE id = '" + instant.json().get("id").asText() + "'",
                    INSTANT_TOKEN, "params", "bearerToken", keyId);

            String channel = webhook(server, admin, hook);
            JsonNode test = server.post("/api/v1/channels/" + channel + "/test", admin, null).json();
            assertThat(test.get("delivered").asBoolean()).as("signed with the plaintext secret: " + test).isTrue();
            assertThat(hook.accepted).hasSize(1);
            assertSealed(server, "SELECT settings FROM alert_channels WHERE id = '" + channel + "'",
                    WebhookReceiver.SECRET, null, "secret", keyId);
        }
    }

    @Test
    void aValueMovedToAnotherRowOrAlteredIsAnErrorNeverAWrongValue() throws Exception {
        Map<String, String> env = backend();
        try (WebhookReceiver hook = new WebhookReceiver();
             TestServer server = TestServer.start(with(env, "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String admin = server.adminToken();
            for (String id : List.of("one", "two")) {
                assertThat(server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", id, "type", "http",
                        "target", "http://127.0.0.1:9/", "interval", "30s", "enabled", false,
                        "params", Map.of("bearerToken", TOKEN + id)))).status()).isEqualTo(201);
            }
            String sealedOne = server.core.database().queryOne("SELECT spec FROM tasks WHERE id = 'one'",
                    rs -> JsonMapping.parseStored(rs.getString(1)).get("params").get("bearerToken").asText()).orElseThrow();
            String specTwo = server.core.database().queryOne("SELECT spec FROM tasks WHERE id = 'two'",
                    rs -> rs.getString(1)).orElseThrow();
            String sealedTwo = JsonMapping.parseStored(specTwo).get("params").get("bearerToken").asText();
            server.core.database().update("UPDATE tasks SET spec = ? WHERE id = 'two'", specTwo.replace(sealedTwo, sealedOne));
            assertThatThrownBy(() -> server.core.tasks().find("two")).isInstanceOf(UnreadableSecretException.class)
                    .hasMessageContaining("tasks/two/params.bearerToken").hasMessageNotContaining(TOKEN);
            TestServer.Response read = server.get("/api/v1/tasks/two", admin);
            assertThat(read.status()).isEqualTo(500);
            assertThat(read.body()).doesNotContain(TOKEN).doesNotContain(sealedOne);
            assertThat(server.core.tasks().find("one").orElseThrow().spec().params().get("bearerToken")).isEqualTo(TOKEN + "one");

            String channel = webhook(server, admin, hook);
            String settings = server.core.database().queryOne("SELECT settings FROM alert_channels WHERE id = ?",
                    rs -> rs.getString(1), channel).orElseThrow();
            String sealed = JsonMapping.parseStored(settings).get("secret").asText();
            int at = sealed.length() / 2;
            String altered = sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
            server.core.database().update("UPDATE alert_channels SET settings = ? WHERE id = ?",
                    settings.replace(sealed, altered), channel);
            assertThatThrownBy(() -> server.core.channels().find(channel)).isInstanceOf(UnreadableSecretException.class)
                    .hasMessageContaining("alert_channels/" + channel + "/settings.secret").hasMessageContaining("altered");
            assertThat(server.post("/api/v1/channels/" + channel + "/test", admin, null).status()).isEqualTo(500);
            assertThat(hook.accepted).as("nothing sent with a wrong secret").isEmpty();
            assertThat(hook.refused).isEmpty();
        }
    }

    @Test
    void rotationSealsEverythingWithTheNewKeyAndThenTheOldOneCanGo() throws Exception {
        Map<String, String> env = backend();
        String channel;
        try (WebhookReceiver hook = new WebhookReceiver();
             TestServer a = TestServer.start(with(env, "VANTAGE_SECRETS_KEYS", KEY_A, "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String admin = a.adminToken();
            assertThat(a.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "web", "type", "http",
                    "target", "http://127.0.0.1:9/", "interval", "30s", "enabled", false,
                    "params", Map.of("bearerToken", TOKEN)))).status()).isEqualTo(201);
            channel = webhook(a, admin, hook);
            assertSealed(a, "SELECT spec FROM tasks WHERE id = 'web'", TOKEN, "params", "bearerToken", "a");
        }

        Map<String, String> both = with(env, "VANTAGE_SECRETS_KEYS", KEY_A + "," + KEY_B, "VANTAGE_SECRETS_KEY_ID", "b");
        // the agents' CA key too: the server made its CA on first start
        assertThat(rotate(both)).contains("Sealed 3 stored secret(s) again with the key 'b' (tasks 1, instant_tests 0,"
                + " alert_channels 1, agent_ca 1)");
        assertThat(rotate(both)).as("idempotent").contains("Sealed 0 stored secret(s)");
        assertThat(rotate(with(env, "VANTAGE_SECRETS_KEYS", KEY_B))).as("a no longer needed").contains("Sealed 0");

        try (WebhookReceiver hook = new WebhookReceiver();
             TestServer b = TestServer.start(with(env, "VANTAGE_SECRETS_KEYS", KEY_B, "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            assertSealed(b, "SELECT spec FROM tasks WHERE id = 'web'", TOKEN, "params", "bearerToken", "b");
            assertSealed(b, "SELECT settings FROM alert_channels WHERE id = '" + channel + "'",
                    WebhookReceiver.SECRET, null, "secret", "b");
            assertThat(b.core.tasks().find("web").orElseThrow().spec().params().get("bearerToken")).isEqualTo(TOKEN);
            // the channel still points at the first receiver; repoint it (secret sent back masked) and test it
            String admin = b.adminToken();
            TestServer.Response repointed = b.call("PUT", "/api/v1/channels/" + channel, admin, JsonMapping.write(Map.of(
                    "name", "hook", "type", "webhook", "settings", Map.of("url", hook.url(), "secret", "******"))));
            assertThat(repointed.status()).as(repointed.body()).isEqualTo(200);
            assertThat(b.post("/api/v1/channels/" + channel + "/test", admin, null).json().get("delivered").asBoolean()).isTrue();
            assertThat(hook.accepted).hasSize(1);
        }

        // a value sealed with a key that is gone is named, and rotation changes nothing
        String out = rotate(with(env, "VANTAGE_SECRETS_KEYS", KEY_A));
        assertThat(out).contains("was sealed with the key 'b', which is not configured").contains("nothing was changed");
    }

    @Test
    void secretsAnOlderVersionStoredInTheClearAreSealedByTheMigration() throws Exception {
        Map<String, String> env = backend();
        ServerConfig config = ServerConfig.load(env);
        String vendor = config.jdbcUrl().startsWith("jdbc:postgresql:") ? "postgresql" : "h2";
        Flyway.configure().dataSource(config.jdbcUrl(), config.dbUser(), "")
                .locations("classpath:db/migration", "classpath:db/vendor/" + vendor).target("16").load().migrate();
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), ""); Statement s = c.createStatement()) {
            s.execute("INSERT INTO tasks (id, name, type, target, spec, selector, enabled, created_at, updated_at, revision)"
                    + " VALUES ('old', 'old', 'http', 'http://127.0.0.1:9/', '{\"id\":\"old\",\"name\":\"old\",\"type\":\"http\","
                    + "\"target\":\"http://127.0.0.1:9/\",\"interval\":\"30s\",\"params\":{\"bearerToken\":\"" + TOKEN
                    + "\",\"method\":\"GET\"}}', '{}', FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)");
            s.execute("INSERT INTO alert_channels (id, name, type, language, settings, created_at, updated_at)"
                    + " VALUES ('c1', 'old hook', 'webhook', 'en', '{\"url\":\"http://127.0.0.1:9/hook\",\"secret\":\""
                    + WebhookReceiver.SECRET + "\"}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        }
        try (TestServer server = TestServer.start(env)) {
            String keyId = defaultKeyId(env);
            assertSealed(server, "SELECT spec FROM tasks WHERE id = 'old'", TOKEN, "params", "bearerToken", keyId);
            assertSealed(server, "SELECT settings FROM alert_channels WHERE id = 'c1'", WebhookReceiver.SECRET, null,
                    "secret", keyId);
            assertThat(server.core.tasks().find("old").orElseThrow().spec().params())
                    .containsEntry("bearerToken", TOKEN).containsEntry("method", "GET");
            assertThat(server.core.channels().find("c1").orElseThrow().settings().get("secret").asText())
                    .isEqualTo(WebhookReceiver.SECRET);
        }
    }

    /** The column's JSON holds {@code field} (under {@code object}, if given) sealed with {@code keyId}, not the plaintext. */
    private static void assertSealed(TestServer server, String select, String plaintext, String object, String field,
                                     String keyId) {
        String raw = server.core.database().queryOne(select, rs -> rs.getString(1)).orElseThrow();
        assertThat(raw).doesNotContain(plaintext);
        JsonNode json = JsonMapping.parseStored(raw);
        assertThat((object == null ? json : json.get(object)).get(field).asText()).startsWith("v1:" + keyId + ":");
    }

    private static String webhook(TestServer server, String admin, WebhookReceiver hook) {
        TestServer.Response r = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "hook",
                "type", "webhook", "settings", Map.of("url", hook.url(), "secret", WebhookReceiver.SECRET))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private static String rotate(Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> all = new HashMap<>(env);
        all.put("VANTAGE_LOCAL_AGENT", "false");
        RotateSecrets.run(new String[0], ServerConfig.load(all), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    static Map<String, String> with(Map<String, String> env, String... more) {
        Map<String, String> all = new HashMap<>(env);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    /** An HTTP target on loopback that records the Authorization header of every request. */
    static final class BearerReceiver implements AutoCloseable {
        final List<String> seen = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        BearerReceiver() throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                if (auth != null) {
                    seen.add(auth);
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url() {
            return "http://127.0.0.1:" + port() + "/";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
