package dev.vantage.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** Something for TCP probes to reach: a loopback listener that accepts every connection, counts it and closes it. */
public final class LoopbackTarget implements AutoCloseable {
    private final ServerSocket socket;
    public final AtomicInteger accepted = new AtomicInteger();

    public LoopbackTarget() {
        this(0);
    }

    /** On {@code port} (0: any free one), e.g. the port of a target closed before, to bring it back. */
    public LoopbackTarget(int port) {
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("loopback-target").start(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, a TCP probe's target. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
