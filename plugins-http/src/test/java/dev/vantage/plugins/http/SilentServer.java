package dev.vantage.plugins.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Accepts connections on 127.0.0.1 and never answers, so a probe can only end at its deadline or by cancellation;
 * it notes when the probe closes its side.
 */
final class SilentServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Semaphore closedByClient = new Semaphore(0);
    private final Semaphore requestBytes = new Semaphore(0);

    SilentServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().name("silent-server").start(() -> {
            while (true) {
                try {
                    Socket c = socket.accept();
                    Thread.ofVirtual().start(() -> drain(c));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    /** Reads (and ignores) the request until the client hangs up; gives up after 30 s. */
    private void drain(Socket c) {
        try (c; InputStream in = c.getInputStream()) {
            c.setSoTimeout(30_000);
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                requestBytes.release(); // never answer
            }
            closedByClient.release();
        } catch (IOException e) {
            // timed out or reset: not a clean close by the client
        }
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/";
    }

    /** True if some bytes of a request arrived within {@code wait}. */
    boolean awaitRequest(Duration wait) throws InterruptedException {
        return requestBytes.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True if a client closed a connection within {@code wait}. */
    boolean awaitClientClose(Duration wait) throws InterruptedException {
        return closedByClient.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
