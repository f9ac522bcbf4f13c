package dev.vantage.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole platform as users run it: the server jar and two agent jars in their own JVMs, talking over real
 * sockets. Enrolls the agents, creates a task over REST, sees results over REST and {@code /ws/live}, runs an
 * instant test on both agents, kills the server while the agents probe and shows that every result produced during
 * the outage is stored exactly once, then kills an agent and sees it marked offline within two heartbeats.
 *
 * <p>Ground truth for "every result" is independent of Vantage: each TCP probe is one connection the test's own
 * listener accepts, so the stored results must equal the accepted connections, one for one.
 */
class PlatformIT {
    private static final String PASSWORD = "e2e-admin-password-1";
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    /** Process output stays after the run (CI keeps target/), for reading a failure. */
    private static final Path LOGS = Path.of("target/e2e-logs/platform");

    private Processes.Jvm server;
    private Processes.Jvm agentA;
    private Processes.Jvm agentB;
    private Target target;
    private Target instantTarget;

    /** A loopback TCP listener that counts the connections it accepts. */
    static final class Target implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();

        Target() throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String address() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Processes.Jvm j : new Processes.Jvm[] {agentA, agentB, server}) {
            if (j != null) {
                j.kill();
            }
        }
        for (Target t : new Target[] {target, instantTarget}) {
            if (t != null) {
                t.close();
            }
        }
    }

    private Processes.Jvm startServer(int port) throws IOException {
        return Processes.start("server", Processes.SERVER_JAR, dir.resolve("server"), Map.of(
                "SERVER_HOST", "127.0.0.1",
                "SERVER_PORT", Integer.toString(port),
                "VANTAGE_DATA_DIR", dir.resolve("server/data").toString(),
                "VANTAGE_ADMIN_PASSWORD", PASSWORD,
                "VANTAGE_LOCAL_AGENT", "false",
                "VANTAGE_AGENT_HEARTBEAT", "1s"), LOGS);
    }

    private Processes.Jvm startAgent(String name, int port, String enrollToken, String city) throws IOException {
        return Processes.start(name, Processes.AGENT_JAR, dir.resolve(name), Map.of(), LOGS,
                "run", "--server", "ws://127.0.0.1:" + port + "/ws/agent", "--enroll-token", enrollToken,
                "--name", name, "--label", "city=" + city, "--data-dir", dir.resolve(name + "/data").toString());
    }

    private static boolean online(Api api, String agentId) throws Exception {
        return api.get("/api/v1/agents/" + agentId).body().get("online").asBoolean();
    }

    /** Every stored result id of a task, following the pages. */
    private static Set<String> resultIds(Api api, String taskId, String agentId) throws Exception {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            String q = "/api/v1/tasks/" + taskId + "/results?limit=1000" + (agentId == null ? "" : "&agent=" + agentId)
                    + (cursor == null ? "" : "&cursor=" + cursor);
            Api.Response r = api.get(q);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            for (JsonNode item : r.body().get("items")) {
                assertThat(ids.add(item.get("id").asText())).as("result stored twice: " + item.get("id")).isTrue();
            }
            cursor = r.body().get("next").isNull() ? null : r.body().get("next").asText();
        } while (cursor != null);
        return ids;
    }

    @Test
    void serverAndTwoAgentsEndToEnd() throws Exception {
        target = new Target();
        instantTarget = new Target();
        int port = Processes.freePort();
        String base = "http://127.0.0.1:" + port;
        server = startServer(port);
        Api api = new Api(base);
        Processes.awaitReady(base, server);
        api.login("admin", PASSWORD);

        // enrollment: one token for two agents, which may probe loopback (the test's own listeners)
        Api.Response token = api.post("/api/v1/agents/enrollment-tokens", Map.of("uses", 2, "expiresIn", "1h",
                "labels", Map.of("region", "e2e"), "policy", Map.of("allowLoopback", true)));
        assertThat(token.status()).as(token.text()).isEqualTo(201);
        String enroll = token.body().get("token").asText();
        agentA = startAgent("agent-a", port, enroll, "a");
        agentB = startAgent("agent-b", port, enroll, "b");
        await("both agents online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> api.get("/api/v1/agents").body().findValues("online").stream().filter(JsonNode::asBoolean).count() == 2);
        JsonNode agents = api.get("/api/v1/agents").body();
        String idA = null;
        String idB = null;
        for (JsonNode a : agents) {
            assertThat(a.get("labels").get("region").asText()).isEqualTo("e2e");
            assertThat(a.get("plugins").findValuesAsText("type")).contains("tcp", "http", "udp", "icmp");
            if (a.get("name").asText().equals("agent-a")) {
                idA = a.get("id").asText();
            } else {
                idB = a.get("id").asText();
            }
        }
        assertThat(idA).isNotNull();
        assertThat(idB).isNotNull();
        assertThat(agentA.output()).doesNotContain("vac_").doesNotContain(enroll);

        // the live feed, authenticated by its first frame
        LinkedBlockingQueue<JsonNode> live = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/live"), new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                live.add(Api.JSON.readTree(text.toString()));
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                            text.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"auth\",\"token\":\"" + api.token() + "\"}", true).get(5, TimeUnit.SECONDS);
        assertThat(live.poll(10, TimeUnit.SECONDS).get("type").asText()).isEqualTo("ready");

        // a task on both agents, every second
        Api.Response created = api.post("/api/v1/tasks", Map.of("name", "e2e tcp", "type", "tcp",
                "target", target.address(), "interval", "1s", "timeout", "900ms",
                "selector", Map.of("labels", Map.of("region", "e2e"))));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String taskId = created.body().get("id").asText();
        String[] agentIds = {idA, idB};
        await("results of both agents over REST").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> !resultIds(api, taskId, agentIds[0]).isEmpty() && !resultIds(api, taskId, agentIds[1]).isEmpty());
        JsonNode event = pollUntil(live, e -> e.get("type").asText().equals("result"), Duration.ofSeconds(15));
        assertThat(event.get("result").get("taskId").asText()).isEqualTo(taskId);
        assertThat(event.get("result").get("status").asText()).isEqualTo("SUCCESS");

        // an instant test on both agents
        Api.Response instant = api.post("/api/v1/instant-tests", Map.of("type", "tcp", "target", instantTarget.address(),
                "selector", Map.of("labels", Map.of("region", "e2e"))));
        assertThat(instant.status()).as(instant.text()).isEqualTo(201);
        String instantId = instant.body().get("id").asText();
        assertThat(instant.body().get("agents")).hasSize(2);
        await("instant test answered by both").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/api/v1/instant-tests/" + instantId).body().get("complete").asBoolean());
        assertThat(instantTarget.accepted.get()).isEqualTo(2);
        JsonNode instantEvent = pollUntil(live, e -> e.get("type").asText().equals("instant"), Duration.ofSeconds(10));
        assertThat(instantEvent.get("instantId").asText()).isEqualTo(instantId);
        ws.abort();

        // kill -9 the server while the agents keep probing (each probe a connection to the target), then start it
        // again on the same data
        server.kill();
        Instant down = Instant.now();
        int acceptedAtKill = target.accepted.get();
        await("both agents probing on with the server down").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> target.accepted.get() >= acceptedAtKill + 2 * 5);
        server = startServer(port);
        Processes.awaitReady(base, server);
        Instant up = Instant.now();
        api.login("admin", PASSWORD);
        await("agents back").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> online(api, agentIds[0]) && online(api, agentIds[1]));
        await("runs made after the restart stored").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> countStartedBetween(api, taskId, up, Instant.now()) >= 2);
        assertThat(api.post("/api/v1/tasks/" + taskId + "/disable", "{}").status()).isEqualTo(200);
        // every connection the listener accepted is one probe; once the spools drain, each must be stored once, and
        // then nothing further may arrive: neither a probe nor a result for 2 s
        await("every probe stored once, and nothing further").atMost(Duration.ofSeconds(60)).during(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(resultIds(api, taskId, null).size()).as("results stored, of the probes")
                        .isEqualTo(target.accepted.get()));
        Set<String> all = resultIds(api, taskId, null);
        System.out.printf("e2e: %d probes accepted by the target, %d results stored; outage %s%n",
                target.accepted.get(), all.size(), Duration.between(down, up));
        assertThat(all).hasSize(target.accepted.get());
        long duringOutage = countStartedBetween(api, taskId, down, up);
        assertThat(duringOutage).as("results produced while the server was down").isGreaterThanOrEqualTo(2 * 4);

        // an agent that dies is offline within two heartbeats
        agentB.kill();
        Instant killed = Instant.now();
        await("agent-b offline").atMost(HEARTBEAT.multipliedBy(2).plusMillis(500)).pollInterval(Duration.ofMillis(50))
                .until(() -> !online(api, agentIds[1]));
        System.out.printf("e2e: agent-b offline %d ms after kill -9%n", Duration.between(killed, Instant.now()).toMillis());
        assertThat(online(api, agentIds[0])).isTrue();
    }

    private static long countStartedBetween(Api api, String taskId, Instant from, Instant to) throws Exception {
        Api.Response r = api.get("/api/v1/tasks/" + taskId + "/results?limit=1000&from=" + from + "&to=" + to);
        return r.body().get("items").size();
    }

    private static JsonNode pollUntil(LinkedBlockingQueue<JsonNode> q, java.util.function.Predicate<JsonNode> p,
                                      Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            JsonNode n = q.poll(100, TimeUnit.MILLISECONDS);
            if (n != null && p.test(n)) {
                return n;
            }
        }
        throw new AssertionError("no matching live event within " + max);
    }

}
