package dev.vantage.benchmarks.server;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;

/**
 * The ingest harness's {@code --backend amqp} mode: a fresh PostgreSQL database and RabbitMQ queue prefix for the
 * server under test (dropped afterwards), and the two same-run ceilings it is compared with: raw amqp-client
 * publish/consume with publisher confirms of the same messages, and PostgreSQL COPY of the same rows.
 */
final class BrokerBackend implements AutoCloseable {
    static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    static final String AMQP = "amqp://guest:guest@127.0.0.1:5672";

    final String database;
    final String prefix;

    private BrokerBackend(String database, String prefix) {
        this.database = database;
        this.prefix = prefix;
    }

    static BrokerBackend create() throws SQLException {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        BrokerBackend b = new BrokerBackend("vantage_bench_" + id, "vbench-" + id);
        try (var c = DriverManager.getConnection(PG + "test", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + b.database);
        }
        return b;
    }

    /** The server's environment: this database and broker. */
    Map<String, String> serverEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("VANTAGE_DB_URL", PG + database);
        env.put("VANTAGE_DB_USER", "postgres");
        env.put("VANTAGE_AMQP_URI", AMQP);
        env.put("VANTAGE_AMQP_PREFIX", prefix);
        // replicas must share the key that seals secrets in the database: a replicated server refuses to start without
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        env.put("VANTAGE_SECRETS_KEYS", "bench:" + java.util.Base64.getEncoder().encodeToString(key));
        return env;
    }

    static Connection amqp(String name) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(AMQP);
        return f.newConnection(name);
    }

    /** Messages waiting in the server's results queue (ready plus unacknowledged are not told apart here). */
    long queued() throws Exception {
        try (Connection c = amqp("bench-probe"); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(prefix + ".results").getMessageCount();
        }
    }

    /** The same body the server publishes for one agent batch. */
    static byte[] message(int agent, long seq, int results) {
        StringBuilder b = new StringBuilder("{\"agent\":\"").append(UUID.randomUUID()).append("\",\"results\":[");
        Instant now = Instant.now();
        for (int i = 0; i < results; i++) {
            b.append(i == 0 ? "" : ",").append(ResultJson.toJson(SimAgent.result(agent, seq + i, now, "bench")));
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    record Rate(double messagesPerSecond, double resultsPerSecond, double cpuMicrosPerResult) {
    }

    /**
     * Raw amqp-client ceiling: one connection publishes persistent messages of {@code results} results to a fresh
     * quorum queue with publisher confirms (at most 256 unconfirmed), another consumes them (prefetch 200, acked in
     * groups); the rate is what was consumed.
     */
    Rate amqpConfirmed(int results, double seconds) throws Exception {
        String queue = prefix + ".baseline";
        byte[][] bodies = new byte[64][];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = message(i, (long) i * results, results);
        }
        AtomicLong consumed = new AtomicLong();
        try (Connection pub = amqp("bench-publish"); Connection sub = amqp("bench-consume")) {
            Channel in = sub.createChannel();
            in.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            in.basicQos(200);
            in.basicConsume(queue, false, new DefaultConsumer(in) {
                @Override
                public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] body) throws java.io.IOException {
                    if (consumed.incrementAndGet() % 50 == 0) {
                        getChannel().basicAck(e.getDeliveryTag(), true);
                    }
                }
            });
            Channel out = pub.createChannel();
            out.confirmSelect();
            Semaphore window = new Semaphore(256);
            java.util.concurrent.ConcurrentSkipListSet<Long> open = new java.util.concurrent.ConcurrentSkipListSet<>();
            out.addConfirmListener((seq, multiple) -> release(open, window, seq, multiple),
                    (seq, multiple) -> release(open, window, seq, multiple));
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            long cpu0 = IngestHarness.ownCpuNanos();
            long start = System.nanoTime();
            long c0 = consumed.get();
            long end = start + (long) (seconds * 1e9);
            for (int i = 0; System.nanoTime() < end; i++) {
                window.acquire();
                open.add(out.getNextPublishSeqNo());
                out.basicPublish("", queue, persistent, bodies[i % bodies.length]);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long n = consumed.get() - c0;
            long cpu = IngestHarness.ownCpuNanos() - cpu0;
            in.queueDelete(queue);
            return new Rate(n / elapsed, n * results / elapsed, cpu / 1e3 / (n * (double) results));
        }
    }

    private static void release(java.util.concurrent.ConcurrentSkipListSet<Long> open, Semaphore window, long seq,
                                boolean multiple) {
        int n = 0;
        if (multiple) {
            var head = open.headSet(seq, true);
            n = head.size();
            head.clear();
        } else if (open.remove(seq)) {
            n = 1;
        }
        window.release(n);
    }

    /**
     * PostgreSQL ceiling: COPY of the same rows (the server's columns and body JSON) into a copy of the results
     * table with its primary key, {@code rowsPerCopy} rows per COPY and commit, on one connection.
     */
    Rate pgCopy(int rowsPerCopy, double seconds) throws Exception {
        try (var c = DriverManager.getConnection(PG + database, "postgres", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE results_copy (LIKE results INCLUDING ALL)");
            }
            c.setAutoCommit(false);
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            String agent = UUID.randomUUID().toString();
            long rows = 0;
            long cpu0 = IngestHarness.ownCpuNanos();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            StringBuilder text = new StringBuilder(rowsPerCopy * 700);
            while (System.nanoTime() < end) {
                text.setLength(0);
                Instant now = Instant.now();
                for (int i = 0; i < rowsPerCopy; i++) {
                    ProbeResult r = SimAgent.result(0, rows + i, now, "bench");
                    text.append(r.id()).append('\t').append(r.taskId()).append('\t').append(agent).append('\t')
                            .append(r.type()).append('\t').append(r.target()).append('\t').append(r.status().name())
                            .append("\t\\N\t").append(r.startedAt()).append('\t').append(Durations.toMillis(r.duration()))
                            .append("\t\\N\t").append(escape(ResultJson.toJson(r))).append('\t').append(now)
                            .append('\t').append(Durations.toMillis(r.duration())).append('\n');
                }
                copy.copyIn("COPY results_copy (id, task_id, agent_id, type, target, status, error_kind, started_at,"
                        + " duration_ms, loss_percent, body, received_at, latency_ms) FROM STDIN", new StringReader(text.toString()));
                c.commit();
                rows += rowsPerCopy;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long cpu = IngestHarness.ownCpuNanos() - cpu0;
            return new Rate(rows / (double) rowsPerCopy / elapsed, rows / elapsed, cpu / 1e3 / rows);
        }
    }

    /** COPY text format: backslash, tab and newline escaped. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    @Override
    public void close() throws Exception {
        try (Connection c = amqp("bench-cleanup"); Channel ch = c.createChannel()) {
            for (String q : new String[] {prefix + ".results", prefix + ".results.dead", prefix + ".baseline"}) {
                ch.queueDelete(q);
            }
            ch.exchangeDelete(prefix + ".results.dlx");
            ch.exchangeDelete(prefix + ".control");
        }
        try (var c = DriverManager.getConnection(PG + "test", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }
}
