package dev.vantage.server.backends;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.ServerCore;
import dev.vantage.server.TestServer;
import dev.vantage.server.dispatch.AmqpDispatch;
import dev.vantage.server.dispatch.Dispatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of RabbitMQ during a steady stream of results from three real agents, then a restart: with publisher
 * confirms nothing is lost and nothing stored twice, counted by result id against what the agents' engines produced.
 * The control run does the same with confirms switched off and reports what it lost (see docs/benchmarks.md,
 * "RabbitMQ fault tests", on why that number can be zero).
 */
class RabbitKillIT {

    @AfterAll
    static void servicesStayUp() throws Exception {
        Backends.ensureRunning();
    }

    record Outcome(int produced, long rows, long distinct, long lost, double outageSeconds) {
    }

    @Test
    void withConfirmsNothingIsLostOrStoredTwice(@TempDir Path dir) throws Exception {
        Outcome o = stream(dir, Dispatch::create, "confirms on");
        assertThat(o.lost()).isZero();
        assertThat(o.rows()).isEqualTo(o.distinct()).isEqualTo(o.produced());
    }

    @Test
    void controlRunWithoutConfirms(@TempDir Path dir) throws Exception {
        ServerCore.DispatchFactory unconfirmed = (config, results, db, registry) ->
                AmqpDispatch.start(config.amqp(), config.replicaId(), results, db, registry, false);
        Outcome o = stream(dir, unconfirmed, "confirms OFF (control)");
        // no assertion on loss: see the class comment; stored twice stays impossible (the primary key)
        assertThat(o.rows()).isEqualTo(o.distinct());
    }

    private Outcome stream(Path dir, ServerCore.DispatchFactory dispatch, String label) throws Exception {
        try (Backends b = Backends.create()) {
            Map<String, String> env = new HashMap<>(b.env(true));
            env.put("VANTAGE_AGENT_HEARTBEAT", "2s");
            env.put("VANTAGE_AMQP_CONFIRM_TIMEOUT", "5s");
            try (TestServer server = TestServer.start(env, dispatch)) {
                String admin = server.adminToken();
                try (Fleet fleet = Fleet.start(server, admin, 3, dir, List.of(AmqpResultsIT.agentSocket(server)))) {
                    List<String> tasks = List.of(fleet.task(server, admin, "k1", "20ms"), fleet.task(server, admin, "k2", "20ms"),
                            fleet.task(server, admin, "k3", "20ms"), fleet.task(server, admin, "k4", "20ms"));
                    Backends.await(Duration.ofSeconds(30), () -> b.count("SELECT count(*) FROM results") > 500, "a steady stream");
                    Thread.sleep(3000);
                    long beforeKill = b.count("SELECT count(*) FROM results");
                    long t0 = System.nanoTime();
                    double outage;
                    try {
                        Backends.killRabbit();
                        Thread.sleep(1000);
                    } finally {
                        Backends.startRabbit();
                        outage = (System.nanoTime() - t0) / 1e9;
                    }
                    long afterRestart = b.count("SELECT count(*) FROM results");
                    Thread.sleep(5000);
                    for (String t : tasks) {
                        assertThat(server.post("/api/v1/tasks/" + t + "/disable", admin, null).status()).isEqualTo(200);
                    }
                    Set<String> produced = drain(b, fleet);
                    long rows = b.count("SELECT count(*) FROM results");
                    long distinct = b.count("SELECT count(DISTINCT id) FROM results");
                    long lost = produced.size() - storedOf(b, produced);
                    double redelivered = server.core.registry().get("vantage.queue.results.duplicates").counter().count();
                    System.out.printf("RABBIT KILL (%s): 3 agents x 4 tcp tasks every 20 ms; %d results stored before"
                            + " kill -9, broker back after %.1f s (%d stored by then); produced %d, stored %d rows (%d"
                            + " distinct ids), LOST %d, stored twice %d, duplicates skipped by the consumer %.0f%n",
                            label, beforeKill, outage, afterRestart, produced.size(), rows, distinct, lost,
                            rows - distinct, redelivered);
                    return new Outcome(produced.size(), rows, distinct, lost, outage);
                }
            }
        }
    }

    /** Waits until the agents' spools are empty and every produced result is stored, or 60 s; returns the produced ids. */
    static Set<String> drain(Backends b, Fleet fleet) throws Exception {
        Set<String> produced = new HashSet<>();
        long start = System.nanoTime();
        long lastStored = -1;
        int stable = 0;
        while (System.nanoTime() - start < 60_000_000_000L) {
            Thread.sleep(500);
            produced = new HashSet<>(fleet.produced);
            long stored = storedOf(b, produced);
            if (fleet.spooled() == 0 && stored == produced.size()) {
                break;
            }
            // a run that lost results never gets there: stop once nothing moved for five seconds
            stable = stored == lastStored && fleet.spooled() == 0 ? stable + 1 : 0;
            lastStored = stored;
            if (stable >= 10) {
                break;
            }
        }
        return produced;
    }

    /** How many of these ids are stored. */
    static long storedOf(Backends b, Set<String> ids) throws Exception {
        long n = 0;
        List<String> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 5000) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 5000));
            n += b.count("SELECT count(*) FROM results WHERE id = ANY (?)", (Object) chunk.toArray(String[]::new));
        }
        return n;
    }
}
