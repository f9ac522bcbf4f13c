package dev.vantage.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.probe.testkit.TestPluginJar;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server and agent jars, with JSON logs, through a flow that puts every kind of secret to use: the admin
 * password (and a wrong one), access and refresh tokens, an API token, an enrollment token, the agent's credential,
 * a secret plugin parameter, the password in an unreachable Redis URL, and channel secrets (webhook HMAC secret, SMTP password, DingTalk URL token and secret,
 * Telegram bot token) whose deliveries fail and get logged. No secret may appear in any line either process printed,
 * and every line of both is one JSON object with the documented fields.
 */
class SecretsInLogsIT {
    private static final Path LOGS = Path.of("target/e2e-logs/secrets-in-logs");
    private static final String ADMIN_PASSWORD = "admin-pw-Zq81vYx3";
    private static final String WRONG_PASSWORD = "wrong-pw-Kd72mBn4";
    private static final String JWT_SECRET = "jwt-secret-0123456789abcdefghijKLMNOP";
    private static final String PLUGIN_SECRET = "plugin-pw-Rt55hJw9";
    private static final String HMAC_SECRET = "hmac-secret-Lp09sXc2";
    private static final String SMTP_PASSWORD = "smtp-pw-Gh38kQe6";
    private static final String DINGTALK_TOKEN = "dt-token-Vb47nMa1";
    private static final String DINGTALK_SECRET = "SECdt-secret-Wq26zEr8";
    private static final String BOT_TOKEN = "123456:bot-token-Yu93pLo5";
    private static final String REDIS_PASSWORD = "redis-pw-Nc64tWs0";

    @TempDir
    Path dir;

    private Processes.Jvm server;
    private Processes.Jvm agent;
    private HttpServer receiver;
    private ServerSocket closedSmtp;

    @AfterEach
    void stopAll() throws Exception {
        for (Processes.Jvm j : new Processes.Jvm[] {agent, server}) {
            if (j != null) {
                j.kill();
            }
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void noSecretAppearsInAnyLogLine() throws Exception {
        // receivers that refuse everything, so every channel fails and says so in the log
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/", ex -> {
            byte[] echo = ex.getRequestURI().toString().getBytes(); // echoes the token of the URL back
            ex.sendResponseHeaders(500, echo.length);
            ex.getResponseBody().write(echo);
            ex.close();
        });
        receiver.start();
        String receiverBase = "http://127.0.0.1:" + receiver.getAddress().getPort();
        closedSmtp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int smtpPort = closedSmtp.getLocalPort();
        closedSmtp.close(); // nobody listens there now: the SMTP connection is refused

        Path plugins = dir.resolve("plugins");
        TestPluginJar.write(plugins, "greeting.jar", "1.0.0");
        int port = Processes.freePort();
        String base = "http://127.0.0.1:" + port;
        // a Redis nobody answers at: the rate limiter says so in the log, without the URL's password
        String redisUrl = "redis://:" + REDIS_PASSWORD + "@127.0.0.1:" + Processes.freePort() + "/0";
        server = Processes.start("server", Processes.SERVER_JAR, dir.resolve("server"), Map.ofEntries(
                Map.entry("VANTAGE_REDIS_URL", redisUrl),
                Map.entry("SERVER_HOST", "127.0.0.1"),
                Map.entry("SERVER_PORT", Integer.toString(port)),
                Map.entry("VANTAGE_LOG_FORMAT", "json"),
                Map.entry("VANTAGE_DATA_DIR", dir.resolve("server/data").toString()),
                Map.entry("VANTAGE_PLUGINS_DIR", plugins.toString()),
                Map.entry("VANTAGE_ADMIN_PASSWORD", ADMIN_PASSWORD),
                Map.entry("VANTAGE_JWT_SECRET", JWT_SECRET),
                Map.entry("VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"),
                Map.entry("VANTAGE_AGENT_HEARTBEAT", "1s")), LOGS);
        Processes.awaitReady(base, server);
        List<String> secrets = new ArrayList<>(List.of(ADMIN_PASSWORD, WRONG_PASSWORD, JWT_SECRET, PLUGIN_SECRET,
                HMAC_SECRET, SMTP_PASSWORD, DINGTALK_TOKEN, DINGTALK_SECRET, BOT_TOKEN, REDIS_PASSWORD));

        Api anonymous = new Api(base);
        assertThat(anonymous.post("/api/v1/auth/login", Map.of("username", "admin", "password", WRONG_PASSWORD)).status())
                .isEqualTo(401);
        Api.Response login = anonymous.post("/api/v1/auth/login", Map.of("username", "admin", "password", ADMIN_PASSWORD));
        assertThat(login.status()).as(login.text()).isEqualTo(200);
        String refresh = login.body().get("refreshToken").asText();
        Api.Response refreshed = anonymous.post("/api/v1/auth/refresh", Map.of("refreshToken", refresh));
        assertThat(refreshed.status()).as(refreshed.text()).isEqualTo(200);
        // the old refresh token again: reuse revokes the session, which the server logs
        anonymous.post("/api/v1/auth/refresh", Map.of("refreshToken", refresh));
        Api api = new Api(base).login("admin", ADMIN_PASSWORD);
        secrets.addAll(List.of(login.body().get("accessToken").asText(), refresh,
                refreshed.body().get("accessToken").asText(), refreshed.body().get("refreshToken").asText(), api.token()));

        Api.Response apiToken = api.post("/api/v1/tokens", Map.of("name", "ci", "role", "admin"));
        assertThat(apiToken.status()).as(apiToken.text()).isEqualTo(201);
        String tokenSecret = apiToken.body().get("token").asText();
        secrets.add(tokenSecret);
        assertThat(api.as(tokenSecret).get("/api/v1/tasks?limit=5").status()).isEqualTo(200);
        assertThat(api.as(tokenSecret + "x").get("/api/v1/tasks").status()).isEqualTo(401);

        // an agent enrolled with a token, then connected with its credential
        Api.Response enrollment = api.post("/api/v1/agents/enrollment-tokens", Map.of("uses", 1, "expiresIn", "1h",
                "labels", Map.of("region", "remote"), "policy", Map.of("allowLoopback", true)));
        assertThat(enrollment.status()).as(enrollment.text()).isEqualTo(201);
        String enrollToken = enrollment.body().get("token").asText();
        secrets.add(enrollToken);
        agent = Processes.start("agent", Processes.AGENT_JAR, dir.resolve("agent"), Map.of("VANTAGE_LOG_FORMAT", "json"), LOGS,
                "run", "--server", "ws://127.0.0.1:" + port + "/ws/agent", "--enroll-token", enrollToken,
                "--name", "remote", "--data-dir", dir.resolve("agent/data").toString(), "--plugins-dir", plugins.toString());
        await("the agent online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.get("/api/v1/agents").body().findValues("online").stream().filter(JsonNode::asBoolean).count() == 2);
        String agentSecret = Api.JSON.readTree(dir.resolve("agent/data/agent.json").toFile()).get("credential").asText();
        assertThat(agentSecret).isNotBlank();
        secrets.add(agentSecret);

        // a task with a secret parameter, run by both agents
        Api.Response task = api.post("/api/v1/tasks", Map.of("name", "greet", "type", TestPluginJar.TYPE,
                "target", "ops", "interval", "1s", "timeout", "900ms", "params", Map.of("password", PLUGIN_SECRET)));
        assertThat(task.status()).as(task.text()).isEqualTo(201);
        String taskId = task.body().get("id").asText();
        await("results").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                api.get("/api/v1/tasks/" + taskId + "/results?limit=50").body().get("items").size() >= 2);

        // channels with secrets, each sent a test message that fails
        List<Map<String, Object>> channels = List.of(
                channel("webhook", Map.of("url", receiverBase + "/hook", "secret", HMAC_SECRET)),
                channel("email", Map.of("host", "127.0.0.1", "port", smtpPort, "security", "none", "username", "ops",
                        "password", SMTP_PASSWORD, "from", "vantage@example.com", "to", List.of("ops@example.com"))),
                channel("dingtalk", Map.of("url", receiverBase + "/robot/send?access_token=" + DINGTALK_TOKEN,
                        "secret", DINGTALK_SECRET)),
                channel("telegram", Map.of("botToken", BOT_TOKEN, "chatId", "42", "apiBase", receiverBase)));
        List<String> channelIds = new ArrayList<>();
        for (Map<String, Object> c : channels) {
            Api.Response created = api.post("/api/v1/channels", c);
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            channelIds.add(created.body().get("id").asText());
            Api.Response test = api.post("/api/v1/channels/" + channelIds.getLast() + "/test", "{}");
            assertThat(test.status()).as(test.text()).isEqualTo(200);
            assertThat(test.text()).doesNotContain(HMAC_SECRET, SMTP_PASSWORD, DINGTALK_TOKEN, DINGTALK_SECRET, BOT_TOKEN);
        }
        // an alert that fires at once on the remote agent's refused connections, notified through every channel: each
        // delivery fails, and the notifier logs why
        int closedPort = Processes.freePort();
        Api.Response failing = api.post("/api/v1/tasks", Map.of("name", "refused", "type", "tcp",
                "target", "127.0.0.1:" + closedPort, "interval", "1s", "timeout", "900ms",
                "selector", Map.of("labels", Map.of("region", "remote"))));
        assertThat(failing.status()).as(failing.text()).isEqualTo(201);
        Api.Response rule = api.post("/api/v1/alert-rules", Map.of("name", "refused", "channels", channelIds,
                "tasks", Map.of("task", failing.body().get("id").asText()),
                "condition", Map.of("type", "consecutiveFailures", "count", 1), "scope", Map.of("minAgents", 1)));
        assertThat(rule.status()).as(rule.text()).isEqualTo(201);
        await("a failed delivery logged for every channel").atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> channelIds.stream().allMatch(id -> server.output().contains("to channel " + id)));
        // a request whose query holds a secret by mistake: requests are not logged with their query
        api.get("/api/v1/tasks/" + taskId + "/results?limit=1&cursor=" + ADMIN_PASSWORD);

        agent.stop(Duration.ofSeconds(10));
        server.stop(Duration.ofSeconds(20));
        String serverLog = server.output();
        String agentLog = agent.output();
        // the refused login's line names its request; the agents' lines their agent
        assertThat(serverLog.lines().filter(l -> l.contains("login refused for account 'admin' from 127.0.0.1")))
                .singleElement().asString().contains("\"requestId\":\"");
        assertThat(serverLog).contains("\"agentId\":\"");
        for (String secret : secrets) {
            assertThat(serverLog).as("server log holds a secret").doesNotContain(secret);
            assertThat(agentLog).as("agent log holds a secret").doesNotContain(secret);
        }
        assertEveryLineIsAJsonEvent(serverLog);
        assertEveryLineIsAJsonEvent(agentLog);
    }

    private static void assertEveryLineIsAJsonEvent(String log) throws Exception {
        assertThat(log).isNotBlank();
        for (String line : log.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode event = Api.JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            Map<String, Object> fields = new LinkedHashMap<>();
            event.fieldNames().forEachRemaining(n -> fields.put(n, true));
            assertThat(fields).as(line).containsKeys("time", "level", "logger", "message");
        }
    }

    private static Map<String, Object> channel(String type, Map<String, Object> settings) {
        return Map.of("name", type + " channel", "type", type, "settings", settings);
    }
}
