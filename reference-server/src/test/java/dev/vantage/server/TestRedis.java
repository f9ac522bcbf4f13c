package dev.vantage.server;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * A test's own {@code redis-server} on a free loopback port, for tests that kill it: the shared Redis on 6379 is
 * never disturbed. Also tells whether that shared one runs.
 */
public final class TestRedis implements AutoCloseable {
    private static final String SERVER = "/usr/bin/redis-server";

    private final Path dir;
    public final int port;
    private Process process;

    private TestRedis(Path dir, int port) throws IOException {
        this.dir = dir;
        this.port = port;
        start();
    }

    /** Starts one, its files in {@code dir}; skips the test when there is no redis-server. */
    public static TestRedis start(Path dir) throws IOException {
        Assumptions.assumeTrue(new File(SERVER).canExecute(), "needs " + SERVER);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return new TestRedis(dir, port); // after closing the probe socket, which would answer in Redis's place

    }

    /** Skips the test unless the shared Redis answers on 127.0.0.1:6379. */
    public static void assumeShared() {
        Assumptions.assumeTrue(open(6379), "needs Redis on 127.0.0.1:6379 (.ci/run starts it)");
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it again on the same port, empty. */
    public void start() throws IOException {
        process = new ProcessBuilder(SERVER, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> open(port));
    }

    public void kill() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private static boolean open(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}
