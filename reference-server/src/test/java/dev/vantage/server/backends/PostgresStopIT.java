package dev.vantage.server.backends;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped ({@code pg_ctlcluster ... stop -m fast}) while two real agents stream results through RabbitMQ,
 * then started again: the API answers 503 quickly meanwhile, agents keep being acknowledged (the broker holds their
 * results), nothing acknowledged is lost, and the pool serves again after the restart.
 */
class PostgresStopIT {

    @AfterAll
    static void servicesStayUp() throws Exception {
        Backends.ensureRunning();
    }

    @Test
    void theApiAnswers503QuicklyAndNothingAcknowledgedIsLost(@TempDir Path dir) throws Exception {
        try (Backends b = Backends.create()) {
            Map<String, String> env = new HashMap<>(b.env(true));
            env.put("VANTAGE_AGENT_HEARTBEAT", "2s");
            env.put("VANTAGE_DB_CONNECT_TIMEOUT", "1s");
            env.put("VANTAGE_DB_STATEMENT_TIMEOUT", "5s");
            try (TestServer server = TestServer.start(env)) {
                String admin = server.adminToken();
                try (Fleet fleet = Fleet.start(server, admin, 2, dir, List.of(AmqpResultsIT.agentSocket(server)))) {
                    List<String> tasks = List.of(fleet.task(server, admin, "p1", "20ms"), fleet.task(server, admin, "p2", "20ms"));
                    Backends.await(Duration.ofSeconds(30), () -> b.count("SELECT count(*) FROM results") > 300, "a steady stream");
                    long before = b.count("SELECT count(*) FROM results");
                    long slowest = 0;
                    int[] statuses = new int[3];
                    long producedAtStop;
                    long spooledDuring;
                    try {
                        Backends.stopPostgres();
                        producedAtStop = fleet.produced.size();
                        for (int i = 0; i < 3; i++) {
                            long t = System.nanoTime();
                            statuses[i] = server.get("/api/v1/tasks", admin).status();
                            slowest = Math.max(slowest, (System.nanoTime() - t) / 1_000_000);
                        }
                        assertThat(server.get("/ready", null).status()).isEqualTo(503);
                        Thread.sleep(4000);
                        spooledDuring = fleet.spooled();
                    } finally {
                        Backends.startPostgres();
                    }
                    long t1 = System.nanoTime();
                    Backends.await(Duration.ofSeconds(30), () -> server.get("/api/v1/tasks", admin).status() == 200,
                            "the API to answer again");
                    double recovered = (System.nanoTime() - t1) / 1e9;
                    Thread.sleep(2000);
                    for (String t : tasks) {
                        assertThat(server.post("/api/v1/tasks/" + t + "/disable", admin, null).status()).isEqualTo(200);
                    }
                    Set<String> produced = RabbitKillIT.drain(b, fleet);
                    long rows = b.count("SELECT count(*) FROM results");
                    long lost = produced.size() - RabbitKillIT.storedOf(b, produced);
                    System.out.printf("POSTGRES STOP: %d results stored before the stop; API during the outage: %s,"
                            + " slowest %d ms; results spooled at the agents 4 s into it: %d (acks go on: the broker holds"
                            + " them); API back %.1f s after the restart; produced %d (%d by the stop), stored %d, LOST %d%n",
                            before, java.util.Arrays.toString(statuses), slowest, spooledDuring, recovered, produced.size(),
                            producedAtStop, rows, lost);
                    assertThat(statuses).containsOnly(503);
                    assertThat(slowest).isLessThan(2000);
                    assertThat(lost).isZero();
                    assertThat(rows).isEqualTo(produced.size());
                }
            }
        }
    }
}
