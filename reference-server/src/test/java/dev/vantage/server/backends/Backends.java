package dev.vantage.server.backends;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The machine's PostgreSQL (127.0.0.1:5432, trust auth) and RabbitMQ (127.0.0.1:5672, guest) for the backend
 * integration tests: a fresh database and fresh queue names per run, and the commands that stop, kill and start the
 * services. Whatever a test stops it starts again, and {@link #ensureRunning()} is the safety net: CI runs other
 * tests against both services afterwards.
 */
public final class Backends implements AutoCloseable {
    public static final String AMQP_URI = "amqp://guest:guest@127.0.0.1:5672";
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";

    public final String database;
    public final String prefix;

    private Backends(String database, String prefix) {
        this.database = database;
        this.prefix = prefix;
    }

    /** A new database {@code vantage_it_<random>} and queue prefix {@code vit-<random>}, both dropped by close. */
    public static Backends create() throws SQLException {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Backends b = new Backends("vantage_it_" + id, "vit-" + id);
        try (var c = DriverManager.getConnection(PG + "test", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + b.database);
        }
        return b;
    }

    public String jdbcUrl() {
        return PG + database;
    }

    /** Environment for a server replica on these backends. */
    public Map<String, String> env(boolean amqp) {
        Map<String, String> env = new HashMap<>();
        env.put("VANTAGE_DB_URL", jdbcUrl());
        env.put("VANTAGE_DB_USER", "postgres");
        if (amqp) {
            env.put("VANTAGE_AMQP_URI", AMQP_URI);
            env.put("VANTAGE_AMQP_PREFIX", prefix);
            // replicas must share a key for the secrets they store
            env.put("VANTAGE_SECRETS_KEYS", "it:" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
        }
        return env;
    }

    public static Connection amqp() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(AMQP_URI);
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection("vantage-it");
    }

    /** Messages ready in a queue. */
    public long ready(String queue) throws Exception {
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** How many of these result ids are stored. */
    public long storedOf(Set<String> ids) throws SQLException {
        long n = 0;
        List<String> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 5000) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 5000));
            n += count("SELECT count(*) FROM results WHERE id = ANY (?)", (Object) chunk.toArray(String[]::new));
        }
        return n;
    }

    public long count(String sql, Object... params) throws SQLException {
        try (var c = DriverManager.getConnection(jdbcUrl(), "postgres", ""); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() throws Exception {
        ensureRunning();
        try (Connection c = amqp(); Channel ch = c.createChannel()) {
            for (String q : List.of(prefix + ".results", prefix + ".results.dead", prefix + ".alerting")) {
                ch.queueDelete(q);
            }
            ch.exchangeDelete(prefix + ".results.dlx");
            ch.exchangeDelete(prefix + ".control");
        } catch (IOException e) {
            System.out.println("cleanup of " + prefix + ".* failed: " + e);
        }
        try (var c = DriverManager.getConnection(PG + "test", "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    // ---- the services themselves ----

    public static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The process id of the RabbitMQ node (its beam.smp), asked of the running node. */
    public static String rabbitPid() throws Exception {
        String pid = run(Duration.ofSeconds(30), "rabbitmqctl", "eval", "os:getpid().").strip().replace("\"", "");
        if (!pid.matches("\\d+")) {
            throw new IllegalStateException("cannot tell RabbitMQ's pid: " + pid);
        }
        return pid;
    }

    /**
     * SIGSTOP of the RabbitMQ node: it hangs, reading nothing more, while the kernel still accepts bytes into its
     * sockets' buffers. Only {@link #killRabbit(String)} may follow: a hung node looks up to {@link #startRabbit()}.
     */
    public static void hangRabbit(String pid) throws Exception {
        run(Duration.ofSeconds(10), "kill", "-STOP", pid);
    }

    /** kill -9 of the RabbitMQ node (hung or not); returns once the port is closed. */
    public static void killRabbit(String pid) throws Exception {
        run(Duration.ofSeconds(10), "kill", "-9", pid);
        await(Duration.ofSeconds(15), () -> !portOpen(5672), "RabbitMQ to go away");
    }

    /** Starts RabbitMQ and waits until it accepts AMQP connections. */
    public static void startRabbit() throws Exception {
        if (!portOpen(5672)) {
            run(Duration.ofSeconds(60), "rabbitmq-server", "-detached");
        }
        await(Duration.ofSeconds(90), () -> portOpen(5672), "RabbitMQ's port 5672");
        run(Duration.ofSeconds(90), "rabbitmqctl", "await_startup", "--timeout", "80");
    }

    public static void stopPostgres() throws Exception {
        run(Duration.ofSeconds(60), "pg_ctlcluster", "--skip-systemctl-redirect", pgVersion(), "main", "stop", "-m", "fast");
    }

    public static void startPostgres() throws Exception {
        if (!portOpen(5432)) {
            run(Duration.ofSeconds(60), "pg_ctlcluster", "--skip-systemctl-redirect", pgVersion(), "main", "start");
        }
        await(Duration.ofSeconds(60), () -> portOpen(5432), "PostgreSQL's port 5432");
    }

    /** Starts whichever of the two is down. */
    public static void ensureRunning() throws Exception {
        startPostgres();
        startRabbit();
    }

    private static String pgVersion() throws IOException {
        try (var dirs = Files.list(Path.of("/etc/postgresql"))) {
            return dirs.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    /** Runs a command with a time bound; fails with its output unless it exits 0. */
    public static String run(Duration limit, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + ": no exit within " + limit);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    public interface Condition {
        boolean holds() throws Exception;
    }

    public static void await(Duration limit, Condition c, String what) {
        Awaitility.await(what).atMost(limit).pollInterval(Duration.ofMillis(100)).until(c::holds);
    }
}
