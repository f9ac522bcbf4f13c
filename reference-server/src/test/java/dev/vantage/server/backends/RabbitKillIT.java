package dev.vantage.server.backends;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.ServerCore;
import dev.vantage.server.TestServer;
import dev.vantage.server.dispatch.AmqpDispatch;
import dev.vantage.server.dispatch.Dispatch;
import io.micrometer.core.instrument.MeterRegistry;
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
 * RabbitMQ hangs and is killed during a steady stream of results from three real agents: the node is stopped
 * (SIGSTOP) while the server goes on publishing to it, then killed (-9) and restarted. With publisher confirms nothing
 * is lost and nothing stored twice, counted by result id against what the agents' engines produced. The control run
 * does the same with confirms switched off and must lose results: what the server published to the hung node, and
 * acknowledged to the agents at once, dies with it. That it is seen missing shows the count can see a loss.
 */
class RabbitKillIT {
    private static final String ROWS = "SELECT count(*) FROM results";

    @AfterAll
    static void servicesStayUp() throws Exception {
        Backends.ensureRunning();
    }

    /**
     * @param produced     results the agents' engines produced
     * @param acknowledged results the server acknowledged to the agents ({@code vantage.results.stored})
     * @param lost         produced results that are not stored
     */
    record Outcome(int produced, long acknowledged, long rows, long distinct, long lost) {
    }

    @Test
    void withConfirmsNothingIsLostOrStoredTwice(@TempDir Path dir) throws Exception {
        Outcome o = stream(dir, Dispatch::create, "confirms on");
        assertThat(o.lost()).isZero();
        assertThat(o.rows()).isEqualTo(o.distinct()).isEqualTo(o.produced());
    }

    @Test
    void controlRunWithoutConfirmsLosesWhatTheHungBrokerWasSent(@TempDir Path dir) throws Exception {
        ServerCore.DispatchFactory unconfirmed = (config, results, db, registry) ->
                AmqpDispatch.start(config.amqp(), config.replicaId(), results, db, registry, false);
        Outcome o = stream(dir, unconfirmed, "confirms OFF (control)");
        // the spools emptied, so the server acknowledged every produced result: those not stored are the loss
        assertThat(o.lost()).as("acknowledged to the agents, never stored").isPositive();
        assertThat(o.rows()).isEqualTo(o.distinct()).isEqualTo(o.produced() - o.lost());
        // the server's own count says the same: it acknowledged each result once, and the difference is missing
        assertThat(o.acknowledged() - o.rows()).isEqualTo(o.lost());
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
                    // about 600 results a second from 12 tasks
                    Backends.await(Duration.ofSeconds(30), () -> b.count(ROWS) >= 1000, "a steady stream");
                    long beforeHang = b.count(ROWS);
                    String broker = Backends.rabbitPid();
                    double publishedBefore = published(server.core.registry());
                    long t0 = System.nanoTime();
                    double publishedHung;
                    double outage;
                    try {
                        Backends.hangRabbit(broker);
                        Backends.await(Duration.ofSeconds(30),
                                () -> published(server.core.registry()) - publishedBefore >= 10,
                                "10 result batches published to the hung broker");
                        publishedHung = published(server.core.registry()) - publishedBefore;
                    } finally {
                        Backends.killRabbit(broker); // what the hung node had not read dies with it
                        Backends.startRabbit();
                        outage = (System.nanoTime() - t0) / 1e9;
                    }
                    long afterRestart = b.count(ROWS);
                    Backends.await(Duration.ofSeconds(60), () -> b.count(ROWS) >= afterRestart + 1000,
                            "results to flow again, beside the agents' replay of the outage");
                    for (String t : tasks) {
                        assertThat(server.post("/api/v1/tasks/" + t + "/disable", admin, null).status()).isEqualTo(200);
                    }
                    Set<String> produced = fleet.settle(b);
                    assertThat(fleet.dropped()).as("results the agents dropped unsent").isZero();
                    long rows = b.count(ROWS);
                    long distinct = b.count("SELECT count(DISTINCT id) FROM results");
                    long lost = produced.size() - b.storedOf(produced);
                    // the rollups count each stored result once, whatever the broker redelivered
                    server.core.rollups().flush();
                    for (String resolution : List.of("1m", "1h", "1d")) {
                        assertThat(b.count("SELECT COALESCE(sum(total), 0) FROM result_rollups WHERE resolution = ?", resolution))
                                .as("results counted by the %s rollups", resolution).isEqualTo(rows);
                    }
                    long acknowledged = Fleet.acknowledged(server);
                    double redelivered = server.core.registry().get("vantage.queue.results.duplicates").counter().count();
                    System.out.printf("RABBIT KILL (%s): 3 agents x 4 tcp tasks every 20 ms; %d results stored before"
                            + " the broker hung, %.0f batches published to it hung, back %.1f s after the hang (%d"
                            + " stored by then); produced %d, acknowledged %d, stored %d rows (%d distinct ids), LOST %d,"
                            + " stored twice %d, duplicates skipped by the consumer %.0f%n",
                            label, beforeHang, publishedHung, outage, afterRestart,
                            produced.size(), acknowledged, rows, distinct, lost, rows - distinct, redelivered);
                    return new Outcome(produced.size(), acknowledged, rows, distinct, lost);
                }
            }
        }
    }

    /**
     * Result batches the server has published: those done (acknowledged, or failed) and those awaiting the broker's
     * confirm. Without confirms a publish is done at once; with them, one to a hung broker waits.
     */
    private static double published(MeterRegistry registry) {
        return registry.get("vantage.results.batch.store").timer().count()
                + registry.get("vantage.queue.unconfirmed").gauge().value();
    }
}
