package dev.vantage.server.e2e;

import dev.vantage.server.json.JsonMapping;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.backends.Backends;
import dev.vantage.server.backends.Fleet;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas on one PostgreSQL database and one RabbitMQ: replica A is the server jar in its own JVM, replica B
 * runs in this JVM. Three real agents, two starting on A. Changes and instant tests made through B reach A's agents;
 * B's API shows A's agents online. Then A is killed (-9): its agents move to B, and no scheduled run is lost or
 * stored twice, counted by result id against what the agents' engines produced.
 */
class ReplicasIT {

    @Test
    void whenAReplicaDiesItsAgentsMoveToTheOtherAndNoRunIsLostOrStoredTwice(@TempDir Path dir) throws Exception {
        try (Backends b = Backends.create()) {
            Map<String, String> env = new HashMap<>(b.env(true));
            env.put("VANTAGE_AGENT_HEARTBEAT", "1s");
            env.put("VANTAGE_REPLICA_ID", "replica-b");
            try (TestServer replicaB = TestServer.start(env)) {
                int portA = Processes.freePort();
                Map<String, String> envA = new HashMap<>(b.env(true));
                envA.putAll(Map.of("VANTAGE_AGENT_HEARTBEAT", "1s", "VANTAGE_REPLICA_ID", "replica-a",
                        "SERVER_HOST", "127.0.0.1", "SERVER_PORT", Integer.toString(portA),
                        "VANTAGE_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD, "VANTAGE_JWT_SECRET", TestServer.JWT_SECRET,
                        "VANTAGE_LOCAL_AGENT", "false", "VANTAGE_DATA_DIR", dir.resolve("a-data").toString()));
                Processes.Jvm replicaA = Processes.start("replica-a", Processes.SERVER_JAR, dir.resolve("a"), envA,
                        dir.resolve("logs"));
                try {
                    Backends.await(Duration.ofSeconds(60), () -> Backends.portOpen(portA), "replica A to listen");
                    run(b, replicaB, replicaA, portA, dir);
                } finally {
                    replicaA.kill();
                }
            }
        }
    }

    private void run(Backends b, TestServer replicaB, Processes.Jvm replicaA, int portA, Path dir) throws Exception {
        String admin = replicaB.adminToken();
        URI a = URI.create("ws://127.0.0.1:" + portA + "/ws/agent");
        URI bUri = URI.create("ws://127.0.0.1:" + replicaB.app.port() + "/ws/agent");
        try (Fleet fleet = Fleet.start(replicaB, admin, 3, dir, i -> i == 1 ? List.of(bUri, a) : List.of(a, bUri))) {
            Backends.await(Duration.ofSeconds(30), fleet::allConnected, "three agents connected");
            assertThat(b.count("SELECT count(*) FROM agents WHERE replica = 'replica-a'")).isEqualTo(2);
            // a task made on B reaches the agents on A (control message), and their results come back through the queue
            String task = fleet.task(replicaB, admin, "replica-task", "100ms");
            Backends.await(Duration.ofSeconds(30),
                    () -> b.count("SELECT count(DISTINCT agent_id) FROM results WHERE task_id = ?", task) == 3,
                    "results of all three agents");
            JsonNode agents = replicaB.get("/api/v1/agents", admin).json();
            assertThat(agents.findValuesAsText("online")).as("B shows A's agents online too").containsOnly("true");

            // an instant test started on B is sent by each replica to its own agents, and read back on either
            TestServer.Response started = replicaB.post("/api/v1/instant-tests", admin, JsonMapping.write(Map.of("type", "tcp",
                    "target", "127.0.0.1:" + fleet.targetPort(), "selector", Map.of("all", true))));
            assertThat(started.status()).as(started.body()).isEqualTo(201);
            assertThat(started.json().get("agents")).hasSize(3);
            String instant = started.json().get("id").asText();
            Backends.await(Duration.ofSeconds(20),
                    () -> replicaB.get("/api/v1/instant-tests/" + instant, admin).json().get("complete").asBoolean(),
                    "every agent's instant answer");

            Backends.await(Duration.ofSeconds(30),
                    () -> b.count("SELECT count(*) FROM results WHERE task_id = ?", task) >= 60,
                    "60 of the task's results stored (2 s of them)");
            long beforeKill = b.count("SELECT count(*) FROM results WHERE task_id = ?", task);
            Timestamp killedAt = Timestamp.from(Instant.now());
            long t0 = System.nanoTime();
            replicaA.kill();
            Backends.await(Duration.ofSeconds(30),
                    () -> b.count("SELECT count(*) FROM agents WHERE replica = 'replica-b' AND online") == 3
                            && fleet.allConnected(), "A's agents to move to B");
            double moved = (System.nanoTime() - t0) / 1e9;
            Backends.await(Duration.ofSeconds(10), () -> replicaB.get("/api/v1/agents", admin).json()
                    .findValuesAsText("online").stream().allMatch("true"::equals), "B to show all three online");
            Backends.await(Duration.ofSeconds(30), () -> b.count("SELECT count(DISTINCT agent_id) FROM results"
                            + " WHERE task_id = ? AND started_at > ?", task, killedAt) == 3,
                    "runs of all three agents made after the kill stored through B");
            assertThat(replicaB.post("/api/v1/tasks/" + task + "/disable", admin, null).status()).isEqualTo(200);
            Set<String> produced = fleet.settle(b);
            long rows = b.count("SELECT count(*) FROM results WHERE task_id = ?", task);
            long distinct = b.count("SELECT count(DISTINCT id) FROM results WHERE task_id = ?", task);
            long instantRows = b.count("SELECT count(*) FROM results WHERE task_id = ?", instant);
            long lost = produced.size() - b.storedOf(produced);
            System.out.printf("REPLICAS: 3 agents, 2 on replica A (killed -9 after %d results stored), 1 on B; A's agents"
                    + " on B %.1f s after the kill; produced %d runs, stored %d rows (%d distinct ids), lost %d, stored"
                    + " twice %d%n", beforeKill, moved, produced.size() - instantRows, rows, distinct, lost, rows - distinct);
            assertThat(moved).isLessThan(30);
            assertThat(lost).isZero();
            assertThat(rows).isEqualTo(distinct).isEqualTo(produced.size() - instantRows);
        }
    }
}
