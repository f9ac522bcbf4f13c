package dev.vantage.server.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.ProtocolCodec;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.tasks.Selector;
import dev.vantage.probe.spi.ProbeResult;
import java.net.URI;
import java.sql.Statement;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 13, server side: one connected agent and many tasks. Creating a task must cost the same whether the agent
 * already runs ten tasks or thousands: the change goes to the agent as a delta of that one task, without the server
 * reading every task again.
 */
class AgentScaleTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(Map.of("VANTAGE_AGENT_HEARTBEAT", "5s"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** What the bare agent received: messages, text frames, their characters, pongs. */
    private static final class Heard {
        final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
        final AtomicLong chars = new AtomicLong();
        final AtomicLong frames = new AtomicLong();
        final AtomicLong pongs = new AtomicLong();
    }

    private JsonNode enroll() {
        String admin = server.adminToken();
        TestServer.Response t = server.post("/api/v1/agents/enrollment-tokens", admin, JsonMapping.write(Map.of()));
        assertThat(t.status()).as(t.body()).isEqualTo(201);
        TestServer.Response r = server.post("/api/v1/agents/enroll", null,
                JsonMapping.write(Map.of("token", t.json().get("token").asText(), "name", "big")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private WebSocket connect(JsonNode enrolled, Heard heard) throws Exception {
        return connect(enrolled, heard, true);
    }

    /** A bare protocol client; with {@code heartbeats} it sends one every 300 ms and the test must send nothing. */
    private WebSocket connect(JsonNode enrolled, Heard heard, boolean heartbeats) throws Exception {
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + enrolled.get("agentId").asText() + "." + enrolled.get("credential").asText())
                .buildAsync(URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent"), new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onPong(WebSocket w, java.nio.ByteBuffer message) {
                        heard.pongs.incrementAndGet();
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            heard.frames.incrementAndGet();
                            heard.chars.addAndGet(text.length());
                            heard.inbox.add(ProtocolCodec.decode(text.toString()));
                            text.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendText(ProtocolCodec.encode(new Message.Hello(1, "test", new Message.Capabilities(
                List.of(new Message.Plugin("tcp", "1")), "none", false), Map.of())), true).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.inbox.stream().anyMatch(m -> m instanceof Message.Welcome));
        if (!heartbeats) {
            return socket;
        }
        Thread.ofVirtual().start(() -> { // stays heard (heartbeat 1 s); the only sender after the hello
            while (!socket.isOutputClosed()) {
                try {
                    socket.sendText(ProtocolCodec.encode(new Message.Heartbeat(java.time.Instant.now(),
                            new Message.AgentStats(0, 0, 0, 0, 0, 0, 0, 0))), true).get(5, TimeUnit.SECONDS);
                    Thread.sleep(300);
                } catch (Exception e) {
                    return;
                }
            }
        });
        return socket;
    }

    private void create(int i) {
        TaskSpec spec = TaskSpec.builder("tcp", "127.0.0.1:9").id("t" + i).name("task " + i)
                .interval(Duration.ofSeconds(1)).build();
        server.core.tasks().create(spec, Selector.ALL, List.of(), "admin");
    }

    private double fullLoads() {
        return server.core.registry().get("vantage.agents.assignment.loads").counter().count();
    }

    /** The next task delta the agent heard (heartbeat answers and the like are skipped). */
    private static Message.TaskChanges nextChanges(Heard heard) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Message m = heard.inbox.poll(100, TimeUnit.MILLISECONDS);
            if (m instanceof Message.TaskChanges c) {
                return c;
            }
        }
        throw new AssertionError("no task changes within 10 s");
    }

    /** Pauses every other connection to H2 (a commit that takes long) until the latch returned is counted down. */
    private CountDownLatch pauseDatabase() throws InterruptedException {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> server.core.database().withConnection(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SET EXCLUSIVE 1");
                paused.countDown();
                resume.await(30, TimeUnit.SECONDS);
                st.execute("SET EXCLUSIVE 0");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        assertThat(paused.await(10, TimeUnit.SECONDS)).isTrue();
        return resume;
    }

    @Test
    void theAgentIsAnsweredWhileItsResultsWaitForTheDatabase() throws Exception {
        create(0);
        Heard heard = new Heard();
        WebSocket socket = connect(enroll(), heard, false);
        CountDownLatch resume = pauseDatabase();
        socket.sendText(ProtocolCodec.encode(new Message.Results("b1", List.of(ProbeResult.builder()
                .id("0194a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6c").taskId("t0").type("tcp").target("127.0.0.1:9")
                .startedAt(java.time.Instant.now()).build()))), true).get(5, TimeUnit.SECONDS);
        // the batch waits for the database; the agent's ping must be answered meanwhile (issue 13: a reader waiting
        // on a slow commit answered nothing, and the agent took the server for dead after two heartbeat intervals)
        socket.sendPing(java.nio.ByteBuffer.allocate(0)).get(5, TimeUnit.SECONDS);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.pongs.get() == 1);
            assertThat(heard.inbox).noneMatch(m -> m instanceof Message.Ack);
        } finally {
            resume.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.inbox.contains(new Message.Ack("b1", 1, 0)));
        socket.abort();
    }

    @Test
    void resultsStoredAfterTheirAgentDisconnectedAreStillCounted() throws Exception {
        create(0);
        WebSocket socket = connect(enroll(), new Heard(), false);
        CountDownLatch resume = pauseDatabase();
        double stored = server.core.registry().get("vantage.results.stored").counter().count();
        try {
            socket.sendText(ProtocolCodec.encode(new Message.Results("b1", List.of(ProbeResult.builder()
                    .id("0194a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6d").taskId("t0").type("tcp").target("127.0.0.1:9")
                    .startedAt(java.time.Instant.now()).build()))), true).get(5, TimeUnit.SECONDS);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS); // gone while its batch waits
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    server.core.registry().get("vantage.agents.connected").gauge().value() == 0);
        } finally {
            resume.countDown();
        }
        // stored after the close: the ack has nowhere to go, but the result was stored and is counted (and published)
        await().atMost(Duration.ofSeconds(10)).until(() ->
                server.core.registry().get("vantage.results.stored").counter().count() == stored + 1);
    }

    @Test
    void aTaskChangeReachesTheAgentAsThatTaskAloneWithoutReadingEveryTask() throws Exception {
        Heard heard = new Heard();
        WebSocket socket = connect(enroll(), heard);
        double loadsAfterWelcome = fullLoads();
        int n = 300;
        for (int i = 0; i < n; i++) {
            create(i);
            Message.TaskChanges c = nextChanges(heard);
            assertThat(c.upsert()).as("task %d", i).extracting(TaskSpec::id).containsExactly("t" + i);
            assertThat(c.remove()).isEmpty();
        }
        // another agent's task: nothing to say to this one
        TaskSpec other = TaskSpec.builder("tcp", "127.0.0.1:9").id("other").interval(Duration.ofSeconds(1)).build();
        server.core.tasks().create(other, new Selector.Agent("someone-else"), List.of(), "admin");
        server.core.tasks().setEnabled("t7", false);
        assertThat(nextChanges(heard)).satisfies(c -> {
            assertThat(c.upsert()).isEmpty();
            assertThat(c.remove()).containsExactly("t7");
        });
        server.core.tasks().setEnabled("t7", true);
        assertThat(nextChanges(heard).upsert()).extracting(TaskSpec::id).containsExactly("t7");
        server.core.tasks().delete("t8");
        assertThat(nextChanges(heard).remove()).containsExactly("t8");
        assertThat(fullLoads()).as("reads of every task while %d tasks were created", n).isEqualTo(loadsAfterWelcome);
        socket.abort();
    }

    /** A measurement, not a check: {@code -Dscale.tasks=3000} prints the time per 500 created tasks. */
    @Test
    @EnabledIfSystemProperty(named = "scale.tasks", matches = "\\d+")
    void creatingTasksForAConnectedAgentCostsTheSameAtAnySize() throws Exception {
        Heard heard = new Heard();
        WebSocket socket = connect(enroll(), heard);
        int n = Integer.getInteger("scale.tasks");
        int step = 500;
        for (int from = 0; from < n; from += step) {
            long frames = heard.frames.get();
            long chars = heard.chars.get();
            long t0 = System.nanoTime();
            for (int i = from; i < from + step; i++) {
                create(i);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("SCALE tasks %d..%d: %d ms (%.2f ms/task), %d frames, %d chars to the agent%n",
                    from, from + step, ms, ms / (double) step, heard.frames.get() - frames, heard.chars.get() - chars);
        }
        socket.abort();
    }
}
