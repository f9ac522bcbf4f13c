package dev.vantage.server.backends;

import static org.awaitility.Awaitility.await;

import dev.vantage.server.json.JsonMapping;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.agent.uplink.Backoff;
import dev.vantage.server.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real agents ({@link AgentRuntime}, in this process) probing a loopback TCP listener, each with an extra result
 * sink that records the id of every result its engine produced: the ground truth that stored results are counted
 * against.
 */
public final class Fleet implements AutoCloseable {
    /** Every result id the agents' engines produced. */
    public final Set<String> produced = ConcurrentHashMap.newKeySet();
    public final List<String> agentIds = new ArrayList<>();
    private final List<AgentRuntime> agents = new ArrayList<>();
    private final ServerSocket target;
    public final AtomicLong accepted = new AtomicLong();

    private Fleet() throws IOException {
        target = new ServerSocket();
        target.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        Thread.ofVirtual().name("fleet-target").start(() -> {
            while (!target.isClosed()) {
                try {
                    target.accept().close();
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /**
     * Enrolls {@code n} agents through {@code server} (loopback allowed) and starts them against {@code servers}
     * (agent WebSocket URIs, tried in turn), with a short reconnect back-off.
     */
    public static Fleet start(TestServer server, String admin, int n, Path dir, List<URI> servers) throws IOException {
        return start(server, admin, n, dir, i -> servers);
    }

    /** As above, agent {@code i} trying {@code servers.apply(i)} in turn. */
    public static Fleet start(TestServer server, String admin, int n, Path dir,
                              java.util.function.IntFunction<List<URI>> servers) throws IOException {
        Fleet f = new Fleet();
        TestServer.Response token = server.post("/api/v1/agents/enrollment-tokens", admin,
                JsonMapping.write(Map.of("uses", n, "policy", Map.of("allowLoopback", true))));
        for (int i = 0; i < n; i++) {
            JsonNode e = server.post("/api/v1/agents/enroll", null,
                    JsonMapping.write(Map.of("token", token.json().get("token").asText(), "name", "it-" + i))).json();
            f.agentIds.add(e.get("agentId").asText());
            AgentRuntime.Builder b = AgentRuntime.builder()
                    .credential(e.get("agentId").asText(), e.get("credential").asText())
                    .dataDir(dir.resolve("agent-" + i))
                    .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)))
                    // results without a task id (the start-up ICMP check) are not spooled or sent: not counted
                    .engineOptions(eb -> eb.addSink(batch -> batch.stream().filter(r -> !r.taskId().isBlank())
                            .forEach(r -> f.produced.add(r.id()))));
            b.servers(servers.apply(i));
            f.agents.add(b.build().start());
        }
        return f;
    }

    public int targetPort() {
        return target.getLocalPort();
    }

    /** A tcp task on the fleet's listener for every agent. */
    public String task(TestServer server, String admin, String id, String interval) {
        TestServer.Response r = server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", id, "type", "tcp",
                "target", "127.0.0.1:" + targetPort(), "interval", interval, "selector", Map.of("all", true))));
        if (r.status() != 201) {
            throw new AssertionError(r.status() + " " + r.body());
        }
        return id;
    }

    public List<AgentRuntime> agents() {
        return agents;
    }

    /** Results still in the agents' spools (not yet acknowledged by a server). */
    public long spooled() {
        return agents.stream().mapToLong(a -> a.stats().spooledResults()).sum();
    }

    /** Results the agents dropped, unsent: by a spool's bounds, or an engine sink queue that was full. */
    public long dropped() {
        return agents.stream().mapToLong(a -> a.stats().droppedResults()).sum();
    }

    /** Results {@code server} acknowledged to agents as safe ({@code vantage.results.stored}; a resent one again). */
    public static long acknowledged(TestServer server) {
        return (long) server.core.registry().get("vantage.results.stored").counter().count();
    }

    /**
     * Waits until nothing more will reach the database of {@code b}, and returns the ids of every result the agents
     * produced. Call it once the tasks are disabled. First the agents' spools empty: the server has acknowledged every
     * result they produced. Then the results queue: no message waits. Then the consumers' last messages: the row
     * count must stay the same for 2 s (nothing further arrives).
     */
    public Set<String> settle(Backends b) {
        await("the agents' spools to empty").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> spooled() == 0);
        await("the results queue to empty").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> b.ready(b.prefix + ".results") == 0);
        AtomicLong last = new AtomicLong(-1);
        await("the database to stop growing").atMost(Duration.ofSeconds(60)).during(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    long rows = b.count("SELECT count(*) FROM results");
                    return rows == last.getAndSet(rows); // as at the previous look
                });
        return Set.copyOf(produced);
    }

    public boolean allConnected() {
        return agents.stream().allMatch(AgentRuntime::connected);
    }

    @Override
    public void close() throws IOException {
        agents.forEach(AgentRuntime::close);
        target.close();
    }
}
