package dev.vantage.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.agent.ProtocolPeer;
import dev.vantage.agent.TcpTarget;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Policy;
import dev.vantage.agent.spool.Spool;
import dev.vantage.agent.uplink.Backoff;
import dev.vantage.agent.uplink.CredentialRejectedException;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent runtime end to end against {@link ProtocolPeer} (a real WebSocket server on loopback), probing a real
 * TCP listener on loopback, with its spool on real files.
 */
class AgentRuntimeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;
    private ProtocolPeer peer;
    private TcpTarget target;
    private AgentRuntime agent;

    @BeforeEach
    void start() throws Exception {
        peer = new ProtocolPeer("agent-1", "vac_secret").start();
        target = TcpTarget.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        peer.close();
        target.close();
    }

    private AgentRuntime startAgent(Consumer<AgentRuntime.Builder> options) {
        AgentRuntime.Builder b = AgentRuntime.builder().server(peer.uri()).credential("agent-1", "vac_secret")
                .dataDir(dataDir).label("region", "test")
                .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(400)));
        options.accept(b);
        agent = b.build().start();
        return agent;
    }

    private AgentRuntime startAgent() {
        return startAgent(b -> { });
    }

    private TaskSpec tcp(String id) {
        return TaskSpec.builder("tcp", target.address()).id(id)
                .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(100)).build();
    }

    private List<Message.Heartbeat> heartbeats() {
        return peer.received(Message.Heartbeat.class);
    }

    private Map<String, Instant> spooledResults() throws IOException {
        Map<String, Instant> out = new HashMap<>();
        try (Stream<Path> files = Files.list(dataDir.resolve("spool"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    ProbeResult r = ResultJson.parse(line);
                    out.put(r.id(), r.startedAt());
                }
            }
        }
        return out;
    }

    @Test
    void helloSaysWhatTheAgentCanRun() {
        startAgent();
        await().atMost(WAIT).until(() -> !peer.received(Message.Hello.class).isEmpty());
        Message.Hello hello = peer.received(Message.Hello.class).get(0);
        assertThat(hello.protocol()).isEqualTo(1);
        assertThat(hello.agentVersion()).isNotBlank();
        assertThat(hello.capabilities().types()).contains("icmp", "tcp", "udp", "http", "dns");
        assertThat(hello.capabilities().plugins()).allSatisfy(p -> assertThat(p.version()).isNotBlank());
        assertThat(hello.capabilities().icmpMode()).isIn("datagram", "raw", "none");
        assertThat(hello.capabilities().ipv6()).isEqualTo(AgentCapabilities.hasUsableIpv6());
        assertThat(hello.labels()).isEqualTo(Map.of("region", "test"));
        await().atMost(WAIT).until(agent::connected);
        await().atMost(WAIT).until(() -> heartbeats().size() >= 2);
        assertThat(peer.results).as("the start-up ICMP check is not sent as a result").isEmpty();
        Message.AgentStats stats = heartbeats().get(0).stats();
        assertThat(stats.memoryUsedBytes()).isPositive();
        assertThat(stats.memoryMaxBytes()).isGreaterThanOrEqualTo(stats.memoryUsedBytes());
        assertThat(stats.cpuLoad()).isBetween(0.0, 1.0);
        assertThat(stats.tasks()).isZero();
        // its meters ride along, for the server's /metrics (no metrics listener needed)
        Map<dev.vantage.agent.protocol.AgentMeter, Double> meters = heartbeats().get(1).meters();
        assertThat(meters).containsEntry(dev.vantage.agent.protocol.AgentMeter.SCHEDULER_TASKS, 0.0)
                .containsEntry(dev.vantage.agent.protocol.AgentMeter.UPLINK_CONNECTIONS, 1.0)
                .containsKeys(dev.vantage.agent.protocol.AgentMeter.SPOOL_BYTES,
                        dev.vantage.agent.protocol.AgentMeter.DATA_DISK_FREE_BYTES,
                        dev.vantage.agent.protocol.AgentMeter.HEAP_USED_BYTES,
                        dev.vantage.agent.protocol.AgentMeter.PROCESS_UPTIME_SECONDS);
    }

    @Test
    void withSeveralServersTheAgentMovesOnToTheNextWhenOneCannotBeReached() throws Exception {
        // a port that was just free: nothing listens there, as on a replica that died
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        peer.welcome = peer.welcome(List.of(tcp("t1")));
        startAgent(b -> b.servers(List.of(java.net.URI.create("ws://127.0.0.1:" + dead + "/ws/agent"), peer.uri())));
        await().atMost(WAIT).until(agent::connected);
        await().atMost(WAIT).until(() -> peer.resultsOf("t1") > 0);
        // the live server goes away and comes back: after the drop the agent tries the dead one, then returns
        peer.stop();
        await().atMost(WAIT).until(() -> !agent.connected());
        peer.start();
        await().atMost(WAIT).until(agent::connected);
        assertThat(peer.upgradeAttempts.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void welcomeSchedulesTasksResultsArriveInAckedBatchesAndDeltasChangeTheSet() throws Exception {
        peer.welcome = peer.welcome(List.of(tcp("t1")));
        startAgent();
        await().atMost(WAIT).until(() -> peer.resultsOf("t1") >= 5);
        List<Message.Results> batches = peer.received(Message.Results.class);
        assertThat(batches).allSatisfy(b -> assertThat(b.results()).isNotEmpty());
        assertThat(batches).extracting(Message.Results::batch).doesNotHaveDuplicates().isSorted();
        assertThat(peer.results.values()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.target()).isEqualTo(target.address());
        });

        peer.send(new Message.TaskChanges(List.of(tcp("t2")), List.of("t1")));
        int seen = heartbeats().size();
        await().atMost(WAIT).until(() -> heartbeats().size() > seen + 1
                && heartbeats().getLast().stats().tasks() == 1 && peer.resultsOf("t2") >= 3);
        long t1 = peer.resultsOf("t1");
        long t2 = peer.resultsOf("t2");
        await().atMost(WAIT).until(() -> peer.resultsOf("t2") >= t2 + 5);
        assertThat(peer.resultsOf("t1")).as("t1 was removed").isEqualTo(t1);

        peer.send(new Message.TaskChanges(List.of(), List.of("t2")));
        await().atMost(WAIT).until(() -> heartbeats().getLast().stats().tasks() == 0);
        // every batch was acked, so nothing stays on disk
        await().atMost(WAIT).until(() -> agent.stats().spooledResults() == 0 && spooledResults().isEmpty());
        assertThat(peer.duplicates).hasValue(0);
    }

    @Test
    void aNewWelcomeIsTheCompleteSet() {
        peer.welcome = peer.welcome(List.of(tcp("t1"), tcp("t2")));
        startAgent();
        await().atMost(WAIT).until(() -> peer.resultsOf("t1") > 0 && peer.resultsOf("t2") > 0);
        peer.send(peer.welcome(List.of(tcp("t2"))));
        await().atMost(WAIT).until(() -> heartbeats().size() > 1 && heartbeats().getLast().stats().tasks() == 1);
    }

    @Test
    void instantTestsRunOnceUnderTheServersAddressPolicy() {
        startAgent();
        await().atMost(WAIT).until(agent::connected);
        TaskSpec once = TaskSpec.builder("tcp", target.address()).id("inst-1").build();
        peer.send(new Message.InstantTest("inst-1", once));
        await().atMost(WAIT).until(() -> peer.resultsOf("inst-1") == 1);
        assertThat(peer.results.values()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(ProbeStatus.SUCCESS));

        peer.send(new Message.PolicyUpdate(new Policy(List.of(), List.of("127.0.0.0/8"), List.of())));
        peer.send(new Message.InstantTest("inst-2", once.toBuilder().id("inst-2").build()));
        await().atMost(WAIT).until(() -> peer.resultsOf("inst-2") == 1);
        ProbeResult refused = peer.results.values().stream().filter(r -> r.taskId().equals("inst-2")).findFirst().orElseThrow();
        assertThat(refused.status()).isEqualTo(ProbeStatus.ERROR);
        assertThat(refused.error().kind()).isEqualTo(ErrorKind.POLICY);
    }

    @Test
    void tasksItCannotRunAreRejectedNotScheduled() {
        TaskSpec unknown = TaskSpec.builder("no-such-type", "example.com").id("d1").interval(Duration.ofSeconds(10)).build();
        TaskSpec tooLong = tcp("bad1").toBuilder().timeout(Duration.ofSeconds(5)).interval(Duration.ofSeconds(1)).build();
        peer.welcome = peer.welcome(List.of(unknown, tooLong, tcp("t1")));
        startAgent();
        await().atMost(WAIT).until(() -> peer.received(Message.Rejected.class).size() == 2);
        Map<String, String> reasons = peer.received(Message.Rejected.class).stream()
                .collect(Collectors.toMap(Message.Rejected::taskId, Message.Rejected::reason));
        assertThat(reasons.get("d1")).isEqualTo("unknown probe type 'no-such-type'");
        assertThat(reasons.get("bad1")).contains("timeout");
        await().atMost(WAIT).until(() -> !heartbeats().isEmpty());
        assertThat(heartbeats().getLast().stats().tasks()).isEqualTo(1);

        peer.send(new Message.InstantTest("inst-x", TaskSpec.builder("no-such-type", "example.com").id("inst-x").build()));
        await().atMost(WAIT).until(() -> peer.received(Message.Rejected.class).size() == 3);
        assertThat(peer.received(Message.Rejected.class).getLast().taskId()).isEqualTo("inst-x");
    }

    @Test
    void whileTheServerIsDownItKeepsSpoolingAndAfterwardsEveryResultArrivesWithItsOriginalTime() throws Exception {
        peer.welcome = peer.welcome(List.of(tcp("t1")));
        startAgent();
        await().atMost(WAIT).until(() -> peer.resultsOf("t1") >= 3);

        // batches that reach the server but whose ack never comes must be sent again after reconnecting
        peer.autoAck = false;
        int before = peer.received(Message.Results.class).size();
        await().atMost(WAIT).until(() -> peer.received(Message.Results.class).size() >= before + 2);
        peer.stop();
        Set<String> unacked = peer.received(Message.Results.class).subList(before, before + 2).stream()
                .flatMap(b -> b.results().stream()).map(ProbeResult::id).collect(Collectors.toSet());

        await().atMost(WAIT).until(() -> !agent.connected() && agent.stats().spooledResults() >= 15);
        Map<String, Instant> spooled = spooledResults();
        assertThat(spooled.keySet()).containsAll(unacked);

        peer.autoAck = true;
        peer.start(); // same port
        await().atMost(WAIT).until(() -> peer.results.keySet().containsAll(spooled.keySet()));
        spooled.forEach((id, startedAt) -> assertThat(peer.results.get(id).startedAt()).isEqualTo(startedAt));
        assertThat(peer.duplicates.get()).as("unacked results were sent again").isGreaterThanOrEqualTo(unacked.size());

        peer.send(new Message.TaskChanges(List.of(), List.of("t1")));
        await().atMost(WAIT).until(() -> agent.stats().spooledResults() == 0 && spooledResults().isEmpty());
        assertThat(agent.stats().droppedResults()).isZero();
    }

    @Test
    void replayKeepsAtMostEightBatchesAwaitingTheirAck() throws Exception {
        // twenty batches left in the spool by an earlier run that never reached the server
        Spool earlier = Spool.open(dataDir.resolve("spool"), 1 << 20, Duration.ofDays(1), Clock.systemUTC());
        List<String> ids = IntStream.range(0, 20).mapToObj(i -> "old-" + i).toList();
        for (String id : ids) {
            earlier.append(List.of(ProbeResult.builder().id(id).taskId("t0").type("tcp").target("127.0.0.1:1")
                    .status(ProbeStatus.SUCCESS).startedAt(Instant.parse("2026-01-01T00:00:00Z"))
                    .duration(Duration.ofMillis(1)).build()));
        }
        peer.autoAck = false;
        startAgent();
        await().atMost(WAIT).until(() -> peer.received(Message.Results.class).size() >= 8);
        await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> peer.received(Message.Results.class).size() == 8);
        assertThat(peer.received(Message.Results.class)).extracting(Message.Results::batch)
                .as("oldest first").isSorted();
        peer.received(Message.Results.class).forEach(peer::ack);
        await().atMost(WAIT).until(() -> peer.received(Message.Results.class).size() == 16);
        peer.autoAck = true;
        peer.received(Message.Results.class).forEach(peer::ack);
        await().atMost(WAIT).until(() -> peer.results.keySet().containsAll(ids));
        await().atMost(WAIT).until(() -> agent.stats().spooledResults() == 0);
    }

    @Test
    void aFullSpoolDropsTheOldestResultsAndHeartbeatsCountThem() throws Exception {
        peer.welcome = peer.welcome(List.of(tcp("t1")));
        startAgent(b -> b.spoolMaxBytes(4096));
        await().atMost(WAIT).until(() -> peer.resultsOf("t1") >= 1);
        peer.stop(); // the agent keeps its tasks and spools on
        await().atMost(WAIT).until(() -> agent.stats().droppedResults() >= 10);
        assertThat(agent.stats().spooledBytes()).isLessThanOrEqualTo(4096);
        peer.start();
        await().atMost(WAIT).until(() -> heartbeats().stream().anyMatch(h -> h.stats().droppedResults() >= 10));
    }

    @Test
    void aSilentServerIsTreatedAsDeadAndTheAgentReconnects() {
        startAgent();
        await().atMost(WAIT).until(agent::connected);
        peer.fallSilent();
        await().atMost(WAIT).until(() -> peer.received(Message.Hello.class).size() == 2);
    }

    @Test
    void aRevokedCredentialEndsTheRuntimeWithoutRetrying() {
        peer.secret = "vac_other";
        startAgent();
        await().atMost(WAIT).until(() -> agent.terminated().toCompletableFuture().isDone());
        assertThat(agent.terminated().toCompletableFuture())
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(CredentialRejectedException.class)
                .withMessageContaining("401");
        assertThat(peer.upgradeAttempts).hasValue(1);
        assertThat(peer.received).isEmpty();
    }
}
