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
                    long t0 = System.nanoTime();
                    double outage;
                    try {
                        Backends.stopPostgres();
                        producedAtStop = fleet.produced.size();
                        long acknowledgedAtStop = Fleet.acknowledged(server);
                        for (int i = 0; i < 3; i++) {
                            long t = System.nanoTime();
                            statuses[i] = server.get("/api/v1/tasks", admin).status();
                            slowest = Math.max(slowest, (System.nanoTime() - t) / 1_000_000);
                        }
                        assertThat(server.get("/ready", null).status()).isEqualTo(503);
                        // the broker holds the results meanwhile, so the agents go on being acknowledged
                        Backends.await(Duration.ofSeconds(30), () -> Fleet.acknowledged(server) >= acknowledgedAtStop + 500,
                                "500 results acknowledged with PostgreSQL down");
                        spooledDuring = fleet.spooled();
                    } finally {
                        Backends.startPostgres();
                        outage = (System.nanoTime() - t0) / 1e9;
                    }
                    long t1 = System.nanoTime();
                    Backends.await(Duration.ofSeconds(30), () -> server.get("/api/v1/tasks", admin).status() == 200,
                            "the API to answer again");
                    double recovered = (System.nanoTime() - t1) / 1e9;
                    long atRecovery = b.count("SELECT count(*) FROM results");
                    Backends.await(Duration.ofSeconds(30), () -> b.count("SELECT count(*) FROM results") >= atRecovery + 200,
                            "results to reach the database again");
                    for (String t : tasks) {
                        assertThat(server.post("/api/v1/tasks/" + t + "/disable", admin, null).status()).isEqualTo(200);
                    }
                    Set<String> produced = fleet.settle(b);
                    long rows = b.count("SELECT count(*) FROM results");
                    long lost = produced.size() - b.storedOf(produced);
                    System.out.printf("POSTGRES STOP: %d results stored before the stop; API during the outage: %s,"
                            + " slowest %d ms; 500 results acknowledged to the agents with PostgreSQL down (%d still"
                            + " spooled at the agents then), outage %.1f s; API back %.1f s after the restart; produced %d"
                            + " (%d by the stop), stored %d, LOST %d%n",
                            before, java.util.Arrays.toString(statuses), slowest, spooledDuring, outage, recovered,
                            produced.size(), producedAtStop, rows, lost);
                    assertThat(statuses).containsOnly(503);
                    assertThat(slowest).isLessThan(2000);
                    assertThat(lost).isZero();
                    assertThat(rows).isEqualTo(produced.size());
                }
            }
        }
    }
}
