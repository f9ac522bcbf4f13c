package dev.vantage.benchmarks.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The reference server as a child process on its embedded default database: a fresh data directory, loopback only,
 * no local agent, its output in {@code server.log} inside the data directory. {@link #close()} stops it and deletes
 * the directory unless asked to keep it.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final int port;
    private final boolean keep;
    /** Null when the server speaks plain HTTP. */
    private final SelfSignedTls tls;

    private ServerProcess(Process process, Path dataDir, int port, boolean keep, SelfSignedTls tls) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.keep = keep;
        this.tls = tls;
        // a harness stopped by a signal skips its finally blocks: its server must not go on eating the CPU of the
        // next run (one left running made a later measurement wrong)
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "server-" + port + "-reaper"));
    }

    /** Starts {@code jar} with {@code jvmArgs} (e.g. -Xmx1g) and waits up to {@code timeout} for {@code /ready}. */
    static ServerProcess start(Path jar, List<String> jvmArgs, String adminPassword, boolean keep, Duration timeout)
            throws IOException, InterruptedException {
        return start(jar, jvmArgs, adminPassword, keep, timeout, Map.of());
    }

    /** As above, with more environment variables for the server (its database and broker). */
    static ServerProcess start(Path jar, List<String> jvmArgs, String adminPassword, boolean keep, Duration timeout,
                               Map<String, String> extraEnv) throws IOException, InterruptedException {
        return start(jar, jvmArgs, adminPassword, keep, timeout, extraEnv, false);
    }

    /** As above; with {@code tls}, on HTTPS and {@code wss://} (TLS 1.3) with a self-signed certificate for 127.0.0.1. */
    static ServerProcess start(Path jar, List<String> jvmArgs, String adminPassword, boolean keep, Duration timeout,
                               Map<String, String> extraEnv, boolean tls) throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("vantage-ingest-");
        SelfSignedTls certificate;
        try {
            certificate = tls ? SelfSignedTls.create(dataDir) : null;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SERVER_HOST", "127.0.0.1");
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("VANTAGE_DATA_DIR", dataDir.toString());
        env.put("VANTAGE_ADMIN_PASSWORD", adminPassword);
        env.put("VANTAGE_LOCAL_AGENT", "false");
        // the harnesses read /metrics every few seconds: a series set per task and agent would be most of that cost
        env.put("VANTAGE_RESULTS_METRICS", "false");
        // harnesses enroll hundreds of agents and create thousands of tasks from one address in seconds: far above
        // what the rate limits allow people and scripts, and not what these benchmarks measure
        for (String limit : List.of("VANTAGE_RATE_LIMIT_PER_ADDRESS", "VANTAGE_RATE_LIMIT_PER_USER",
                "VANTAGE_RATE_LIMIT_PER_TOKEN", "VANTAGE_RATE_LIMIT_SIGN_IN")) {
            env.put(limit, "10000000/1s");
        }
        if (certificate != null) {
            env.put("VANTAGE_TLS_CERT", certificate.cert().toString());
            env.put("VANTAGE_TLS_KEY", certificate.key().toString());
        }
        env.putAll(extraEnv);
        ServerProcess server = new ServerProcess(pb.start(), dataDir, port, keep, certificate);
        try {
            server.awaitReady(timeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = http().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue() + "; see " + log());
            }
            try {
                HttpRequest ready = HttpRequest.newBuilder(base().resolve("/ready")).timeout(Duration.ofSeconds(2)).build();
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IOException("server not ready after " + timeout + "; see " + log());
    }

    URI base() {
        return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + port);
    }

    URI agentSocket() {
        return URI.create((tls == null ? "ws" : "wss") + "://127.0.0.1:" + port + "/ws/agent");
    }

    /** A client for this server: trusting its certificate when it speaks TLS. */
    HttpClient.Builder http() {
        HttpClient.Builder b = HttpClient.newBuilder();
        return tls == null ? b : b.sslContext(tls.client());
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return dataDir.resolve("server.log");
    }

    Path dataDir() {
        return dataDir;
    }

    boolean alive() {
        return process.isAlive();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** SIGTERM, then SIGKILL after 20 s; deletes the data directory unless kept. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (keep) {
            System.out.println("server data and log kept in " + dataDir);
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
