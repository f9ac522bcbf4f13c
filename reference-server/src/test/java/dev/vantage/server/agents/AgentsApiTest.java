package dev.vantage.server.agents;

import dev.vantage.server.json.JsonMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.ProtocolCodec;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Agents against a real server: enrollment rules, the address policy applied on the agent, revocation, label
 * changes moving tasks, and what the agent channel refuses. Agents here are the real {@link AgentRuntime} over a
 * real WebSocket, or a bare protocol client where a test needs to say something a real agent would not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentsApiTest {
    private TestServer server;
    private String admin;
    private ServerSocket target;

    @BeforeAll
    void start() throws IOException {
        server = TestServer.start(Map.of("VANTAGE_AGENT_HEARTBEAT", "1s"));
        admin = server.adminToken();
        target = new ServerSocket();
        target.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() -> {
            while (!target.isClosed()) {
                try {
                    target.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    void stop() throws IOException {
        target.close();
        server.close();
    }

    private String enrollmentToken(Map<String, Object> body) {
        TestServer.Response r = server.post("/api/v1/agents/enrollment-tokens", admin, JsonMapping.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("token").asText();
    }

    private JsonNode enroll(String token, String name) {
        TestServer.Response r = server.post("/api/v1/agents/enroll", null, JsonMapping.write(Map.of("token", token, "name", name)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private AgentRuntime agent(JsonNode enrolled, Path dir) {
        return AgentRuntime.builder().server(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"))
                .credential(enrolled.get("agentId").asText(), enrolled.get("credential").asText())
                .dataDir(dir).build().start();
    }

    private JsonNode agentView(String id) {
        return server.get("/api/v1/agents/" + id, admin).json();
    }

    private JsonNode agentViewZh(String id) {
        return server.call("GET", "/api/v1/agents/" + id, admin, null, Map.of("Accept-Language", "zh-CN")).json();
    }

    private String task(Map<String, Object> body) {
        TestServer.Response r = server.post("/api/v1/tasks", admin, JsonMapping.write(body));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    private JsonNode lastResult(String taskId, String agentId) {
        JsonNode items = server.get("/api/v1/tasks/" + taskId + "/results?limit=1&agent=" + agentId, admin).json().get("items");
        return items.isEmpty() ? null : items.get(0);
    }

    @Test
    void enrollmentTokensAreCountedExpireAndGiveTheirLabels() {
        String token = enrollmentToken(Map.of("uses", 1, "labels", Map.of("region", "bj")));
        TestServer.Response first = server.post("/api/v1/agents/enroll", null,
                JsonMapping.write(Map.of("token", token, "name", "a", "labels", Map.of("region", "sh", "isp", "unicom"))));
        assertThat(first.status()).isEqualTo(201);
        // the token's labels win over the agent's own wishes
        assertThat(agentView(first.json().get("agentId").asText()).get("labels"))
                .isEqualTo(JsonMapping.MAPPER.valueToTree(Map.of("region", "bj", "isp", "unicom")));
        TestServer.Response second = server.post("/api/v1/agents/enroll", null, JsonMapping.write(Map.of("token", token)));
        assertThat(second.status()).isEqualTo(401);
        assertThat(second.contentType()).startsWith("application/problem+json");
        assertThat(server.post("/api/v1/agents/enroll", null, "{\"token\":\"vet_forged\"}").status()).isEqualTo(401);
        // the list never shows a secret
        assertThat(server.get("/api/v1/agents/enrollment-tokens", admin).body()).doesNotContain(token).doesNotContain("hash");
        assertThat(server.get("/api/v1/agents", admin).body()).doesNotContain(first.json().get("credential").asText());

        TestServer.Response bad = server.post("/api/v1/agents/enrollment-tokens", admin,
                "{\"uses\":0,\"expiresIn\":\"90d\",\"labels\":{\"Region\":1},\"policy\":{\"allow\":[\"nope\"]},\"extra\":true}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsText("field"))
                .contains("uses", "expiresIn", "labels.Region", "policy.allow[0]", "extra");
        // ranges in ambiguous numeric forms are refused, not read as the JDK reads them (0177 = 177)
        TestServer.Response octal = server.post("/api/v1/agents/enrollment-tokens", server.adminToken(),
                "{\"policy\":{\"allow\":[\"0177.0.0.0/8\"],\"deny\":[\"0x7f.0.0.0/8\", \"10.0.0.0/8\"]}}");
        assertThat(octal.status()).isEqualTo(400);
        assertThat(octal.json().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("policy.allow[0]", "policy.deny[0]");
        // the engine's words about a range, and the policy object's own, in the language asked for
        TestServer.Response zh = server.call("POST", "/api/v1/agents/enrollment-tokens", admin,
                "{\"policy\":{\"allow\":[\"nope\"],\"deny\":[\"10.0.0.0/33\"],\"allowAll\":true}}", Map.of("Accept-Language", "zh-CN"));
        Map<String, String> chinese = new java.util.TreeMap<>();
        zh.json().get("errors").forEach(e -> chinese.put(e.get("field").asText(), e.get("message").asText()));
        assertThat(chinese).isEqualTo(Map.of(
                "policy.allow[0]", "“nope” 不是地址范围（例如 10.0.0.0/8 或 fd00::/8）",
                "policy.allowAll", "未知字段；可用字段：allowLoopback, allowPrivate, allow, deny, denyPorts",
                "policy.deny[0]", "“10.0.0.0/33” 的前缀长度不在 0..32 之内"));
        TestServer.Response en = server.post("/api/v1/agents/enrollment-tokens", admin,
                "{\"policy\":{\"allow\":[\"nope\"],\"deny\":[\"10.0.0.0/33\"],\"allowAll\":true}}");
        Map<String, String> english = new java.util.TreeMap<>();
        en.json().get("errors").forEach(e -> english.put(e.get("field").asText(), e.get("message").asText()));
        assertThat(english).isEqualTo(Map.of(
                "policy.allow[0]", "'nope' is not an address range (use e.g. 10.0.0.0/8 or fd00::/8)",
                "policy.allowAll", "unknown field; known fields: allowLoopback, allowPrivate, allow, deny, denyPorts",
                "policy.deny[0]", "'10.0.0.0/33' has a prefix length outside 0..32"));
        // and an agent's own policy, set later
        String agentId = enroll(enrollmentToken(Map.of()), "policy-zh").get("agentId").asText();
        TestServer.Response put = server.call("PUT", "/api/v1/agents/" + agentId + "/policy", admin,
                "{\"deny\":[\"10.0.0.1/40\"]}", Map.of("Accept-Language", "zh-CN"));
        assertThat(put.status()).isEqualTo(400);
        assertThat(put.json().get("errors").get(0).get("field").asText()).isEqualTo("deny[0]");
        assertThat(put.json().get("errors").get(0).get("message").asText()).isEqualTo("“10.0.0.1/40” 的前缀长度不在 0..32 之内");
        String operator = server.sessionToken(server.createUser("op-policy", Role.OPERATOR));
        assertThat(server.post("/api/v1/agents/enrollment-tokens", operator, "{\"policy\":{\"allowLoopback\":true}}").status())
                .as("only an admin may widen where agents probe").isEqualTo(403);
    }

    @Test
    void thePolicyIsAppliedToTheResolvedAddressOnTheAgent(@org.junit.jupiter.api.io.TempDir Path dir) {
        // default policy: public addresses only, so loopback and metadata are refused on the agent itself
        JsonNode publicOnly = enroll(enrollmentToken(Map.of("labels", Map.of("pool", "public"))), "public-only");
        JsonNode loopback = enroll(enrollmentToken(Map.of("labels", Map.of("pool", "loop"), "policy", Map.of("allowLoopback", true))), "loopback");
        try (AgentRuntime a = agent(publicOnly, dir.resolve("a")); AgentRuntime b = agent(loopback, dir.resolve("b"))) {
            String aId = publicOnly.get("agentId").asText();
            String bId = loopback.get("agentId").asText();
            String local = task(Map.of("type", "tcp", "target", "127.0.0.1:" + target.getLocalPort(), "interval", "1s",
                    "selector", Map.of("all", true)));
            String self = task(Map.of("type", "http", "target", "http://localhost:" + server.app.port() + "/health",
                    "interval", "1s", "selector", Map.of("labels", Map.of("pool", "loop"))));
            await().atMost(Duration.ofSeconds(20)).until(() -> lastResult(local, aId) != null && lastResult(local, bId) != null
                    && lastResult(self, bId) != null);
            JsonNode refused = lastResult(local, aId);
            assertThat(refused.get("status").asText()).isEqualTo("ERROR");
            assertThat(refused.get("error").get("kind").asText()).isEqualTo("POLICY");
            assertThat(refused.get("error").get("message").asText()).contains("127.0.0.0/8");
            assertThat(lastResult(local, bId).get("status").asText()).isEqualTo("SUCCESS");
            String metrics = server.get("/metrics", null).body();
            assertThat(metrics).contains("vantage_agents_connected").contains("vantage_results_stored_total");
            // loopback allowed, but never the server's own port, even by a host name that resolves to it
            JsonNode own = lastResult(self, bId);
            assertThat(own.get("error").get("kind").asText()).isEqualTo("POLICY");
            assertThat(own.get("error").get("message").asText()).contains("port " + server.app.port());

            // an admin opens loopback for agent a: the new policy reaches it without a reconnect
            TestServer.Response p = server.call("PUT", "/api/v1/agents/" + aId + "/policy", admin, "{\"allowLoopback\":true}");
            assertThat(p.status()).as(p.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> lastResult(local, aId).get("status").asText().equals("SUCCESS"));
            server.call("DELETE", "/api/v1/tasks/" + local, admin, null);
            server.call("DELETE", "/api/v1/tasks/" + self, admin, null);
        }
    }

    @Test
    void labelChangesMoveTasksAndRevocationClosesTheConnection(@org.junit.jupiter.api.io.TempDir Path dir) {
        JsonNode enrolled = enroll(enrollmentToken(Map.of("labels", Map.of("region", "r1"), "policy", Map.of("allowLoopback", true))), "mover");
        String id = enrolled.get("agentId").asText();
        try (AgentRuntime a = agent(enrolled, dir)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> agentView(id).get("online").asBoolean());
            String t = task(Map.of("type", "tcp", "target", "127.0.0.1:" + target.getLocalPort(), "interval", "1s",
                    "selector", Map.of("labels", Map.of("region", "r2"))));
            assertThat(agentView(id).get("tasks")).isEmpty();
            TestServer.Response moved = server.call("PUT", "/api/v1/agents/" + id + "/labels", admin,
                    "{\"labels\":{\"region\":\"r2\"}}");
            assertThat(moved.status()).as(moved.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> lastResult(t, id) != null);
            assertThat(agentView(id).get("tasks").toString()).contains(t);
            await("heartbeat stats").atMost(Duration.ofSeconds(5)).until(() -> agentView(id).get("stats").has("memoryUsedBytes"));

            assertThat(server.call("DELETE", "/api/v1/agents/" + id, admin, null).status()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> !agentView(id).get("online").asBoolean());
            // a revoked agent's credential is refused before the upgrade
            await().atMost(Duration.ofSeconds(10)).until(() -> a.terminated().toCompletableFuture().isCompletedExceptionally());
            server.call("DELETE", "/api/v1/tasks/" + t, admin, null);
        }
    }

    @Test
    void theAgentChannelRefusesBadCredentialsAndReportsMissingPlugins() throws Exception {
        TestServer.Response plain = server.get("/ws/agent", null);
        assertThat(plain.status()).isEqualTo(401);
        HttpClient http = HttpClient.newHttpClient();
        URI ws = URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent");
        JsonNode enrolled = enroll(enrollmentToken(Map.of("labels", Map.of("kind", "bare"))), "bare");
        String id = enrolled.get("agentId").asText();
        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> http.newWebSocketBuilder().header("Authorization", "Bearer " + id + ".vac_wrong")
                        .buildAsync(ws, new WebSocket.Listener() { }).join());
        assertThat(refused).hasStackTraceContaining("status code 401");

        // a bare client that only has the tcp plugin is never given an http task, and the server says why
        String httpTask = task(Map.of("type", "http", "target", "http://example.invalid/", "interval", "10s",
                "selector", Map.of("agent", id)));
        LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
        WebSocket socket = bareAgent(enrolled, true, false, inbox);
        Message welcome = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(welcome).isInstanceOf(Message.Welcome.class);
        assertThat(((Message.Welcome) welcome).tasks()).isEmpty();
        assertThat(agentView(id).get("problems").get(httpTask).asText()).isEqualTo("agent has no plugin for probe type 'http'");
        assertThat(agentViewZh(id).get("problems").get(httpTask).asText()).isEqualTo("节点没有探测类型“http”的插件");
        // a task the agent refuses: its own words are quoted in the reader's language
        String tcpTask = task(Map.of("type", "tcp", "target", "example.invalid:9", "interval", "10s", "selector", Map.of("agent", id)));
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isInstanceOf(Message.TaskChanges.class);
        socket.sendText(ProtocolCodec.encode(new Message.Rejected(tcpTask, "no such thing")), true).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> agentView(id).get("problems").has(tcpTask));
        assertThat(agentView(id).get("problems").get(tcpTask).asText()).isEqualTo("rejected by agent: no such thing");
        assertThat(agentViewZh(id).get("problems").get(tcpTask).asText()).isEqualTo("被节点拒绝：no such thing");
        assertThat(server.call("GET", "/api/v1/agents", admin, null, Map.of("Accept-Language", "zh")).json()
                .findValues("problems").toString()).contains("被节点拒绝：no such thing");
        // garbage is answered, not fatal
        socket.sendText("{\"type\":\"nonsense\"}", true).get(5, TimeUnit.SECONDS);
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isInstanceOf(Message.ErrorReply.class);
        // results of a task it was never given are not stored
        socket.sendText(ProtocolCodec.encode(new Message.Results("b1", List.of(dev.vantage.probe.spi.ProbeResult.builder()
                .id("0194a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b").taskId("someone-elses-task").type("tcp").target("x")
                .startedAt(java.time.Instant.now()).build()))), true).get(5, TimeUnit.SECONDS);
        Message ack = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(ack).isEqualTo(new Message.Ack("b1", 0, 0));
        socket.abort();
        server.call("DELETE", "/api/v1/tasks/" + httpTask, admin, null);
        server.call("DELETE", "/api/v1/tasks/" + tcpTask, admin, null);
    }

    @Test
    void theProtocolVersionIsTheHighestBothPeersSpeak() throws Exception {
        JsonNode enrolled = enroll(enrollmentToken(Map.of()), "versions");
        assertThat(helloWith(enrolled, 1, 1)).as("a version 1 agent").isEqualTo("welcome protocol 1");
        assertThat(helloWith(enrolled, 1, 7)).as("a newer agent").isEqualTo("welcome protocol 2");
        assertThat(helloWith(enrolled, 3, 4)).as("no common version")
                .isEqualTo("closed 4003 protocol 3..4 is not supported; this server speaks 1..2");
    }

    /** Says hello speaking {@code min..max}; returns the welcome's protocol or the close code and reason. */
    private String helloWith(JsonNode enrolled, int min, int max) throws Exception {
        java.util.concurrent.CompletableFuture<String> answer = new java.util.concurrent.CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + enrolled.get("agentId").asText() + "." + enrolled.get("credential").asText())
                .buildAsync(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"), new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last && ProtocolCodec.decode(text.toString()) instanceof Message.Welcome welcome) {
                            answer.complete("welcome protocol " + welcome.protocol());
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        answer.complete("closed " + code + " " + reason);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendText(ProtocolCodec.encode(new Message.Hello(min, max, "test", new Message.Capabilities(
                List.of(), "none", false), Map.of())), true).get(5, TimeUnit.SECONDS);
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            socket.abort();
        }
    }

    /**
     * A bare protocol client that says hello with the tcp plugin. It stops reading after the welcome unless
     * {@code reads}, and with {@code heartbeats} sends one every 500 ms (then the test must not send itself: the JDK
     * client refuses a second send while one is pending).
     */
    private WebSocket bareAgent(JsonNode enrolled, boolean reads, boolean heartbeats, LinkedBlockingQueue<Message> inbox)
            throws Exception {
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + enrolled.get("agentId").asText() + "." + enrolled.get("credential").asText())
                .buildAsync(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"), new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            Message m = ProtocolCodec.decode(text.toString());
                            inbox.add(m);
                            text.setLength(0);
                            if (!reads && m instanceof Message.Welcome) {
                                return null; // no more demand: the client stops reading its socket
                            }
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendText(ProtocolCodec.encode(new Message.Hello(1, "test", new Message.Capabilities(
                List.of(new Message.Plugin("tcp", "1")), "none", false), Map.of())), true).get(5, TimeUnit.SECONDS);
        if (heartbeats) {
            Thread.ofVirtual().start(() -> {
                while (!socket.isOutputClosed()) {
                    try {
                        socket.sendText(ProtocolCodec.encode(new Message.Heartbeat(java.time.Instant.now(),
                                new Message.AgentStats(0, 0, 0, 0, 0, 0, 0, 0))), true).get(5, TimeUnit.SECONDS);
                        Thread.sleep(500);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
        }
        return socket;
    }

    @Test
    void anAgentThatStopsReadingIsDisconnectedWithoutHoldingUpTheOthers() throws Exception {
        JsonNode stuck = enroll(enrollmentToken(Map.of("labels", Map.of("kind", "slow"))), "stuck");
        JsonNode healthy = enroll(enrollmentToken(Map.of("labels", Map.of("kind", "slow"))), "healthy");
        LinkedBlockingQueue<Message> stuckInbox = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Message> healthyInbox = new LinkedBlockingQueue<>();
        WebSocket stuckSocket = bareAgent(stuck, false, true, stuckInbox);
        WebSocket healthySocket = bareAgent(healthy, true, true, healthyInbox);
        String stuckId = stuck.get("agentId").asText();
        await("both online").atMost(Duration.ofSeconds(10)).until(() -> agentView(stuckId).get("online").asBoolean()
                && agentView(healthy.get("agentId").asText()).get("online").asBoolean());
        // every change of this task goes to both agents as a ~200 KB frame: the stuck agent's socket buffers fill
        // within some dozens, then its 8 MB outbox; the hub must go on serving the healthy one all the while
        String padding = "x".repeat(200_000);
        Map<String, Object> spec = new java.util.HashMap<>(Map.of("id", "slow-reader", "type", "tcp",
                "target", "localhost:" + target.getLocalPort(), "interval", "1h", "selector", Map.of("labels", Map.of("kind", "slow"))));
        int changes = 200;
        long t0 = System.nanoTime();
        for (int i = 0; i < changes; i++) {
            spec.put("params", Map.of("send", padding + i));
            TestServer.Response r = i == 0 ? server.post("/api/v1/tasks", admin, JsonMapping.write(spec))
                    : server.call("PUT", "/api/v1/tasks/slow-reader", admin, JsonMapping.write(spec));
            assertThat(r.status()).as(r.body()).isIn(200, 201);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("changes keep flowing").isLessThan(Duration.ofSeconds(120));
        }
        String last = padding + (changes - 1);
        await("the healthy agent got every change").atMost(Duration.ofSeconds(30)).until(() -> healthyInbox.stream()
                .anyMatch(m -> m instanceof Message.TaskChanges c && c.upsert().stream()
                        .anyMatch(t -> last.equals(t.params().get("send")))));
        await("the stuck agent was disconnected").atMost(Duration.ofSeconds(30))
                .until(() -> !agentView(stuckId).get("online").asBoolean());
        stuckSocket.abort();
        healthySocket.abort();
        server.call("DELETE", "/api/v1/tasks/slow-reader", admin, null);
    }

    @Test
    void instantTestsNeedAnOnlineAgentAndValidInput() {
        TestServer.Response none = server.post("/api/v1/instant-tests", admin,
                "{\"type\":\"tcp\",\"target\":\"127.0.0.1:1\",\"selector\":{\"labels\":{\"region\":\"nowhere\"}}}");
        assertThat(none.status()).isEqualTo(409);
        TestServer.Response bad = server.post("/api/v1/instant-tests", admin,
                "{\"type\":\"nope\",\"target\":\"x\",\"interval\":\"1s\",\"selector\":{\"labels\":5}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsText("field")).contains("type", "interval", "selector.labels");
        assertThat(server.get("/api/v1/instant-tests/00000000-0000-0000-0000-000000000000", admin).status()).isEqualTo(404);
    }

    @Test
    void theLiveFeedWantsCredentialsFirst() throws Exception {
        LinkedBlockingQueue<Integer> closed = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/live"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.add(code);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"auth\",\"token\":\"forged\"}", true).get(5, TimeUnit.SECONDS);
        assertThat(closed.poll(10, TimeUnit.SECONDS)).isEqualTo(4401);
    }

    @Test
    void theLocalAgentEnrollsOnceAndStopsWithTheServer() throws Exception {
        Path dir = Files.createTempDirectory("vantage-local-agent");
        String first;
        try (TestServer s = TestServer.startIn(dir, Map.of("VANTAGE_LOCAL_AGENT", "true"))) {
            String token = s.adminToken();
            await().atMost(Duration.ofSeconds(30)).until(() -> s.get("/api/v1/agents", token).json().findValues("online")
                    .stream().anyMatch(JsonNode::asBoolean));
            JsonNode local = s.get("/api/v1/agents", token).json().get(0);
            first = local.get("id").asText();
            assertThat(local.get("policy").get("allowLoopback").asBoolean()).as("loopback is opened port by port").isFalse();
            assertThat(local.get("policy").get("allowPrivate").asBoolean()).isFalse();
        }
        try (TestServer s = TestServer.startIn(dir, Map.of("VANTAGE_LOCAL_AGENT", "true"))) {
            JsonNode agents = s.get("/api/v1/agents", s.adminToken()).json();
            assertThat(agents).hasSize(1);
            assertThat(agents.get(0).get("id").asText()).as("the same agent after a restart").isEqualTo(first);
        } finally {
            TestServer.deleteTree(dir);
        }
    }
}
