package dev.vantage.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A TCP listener on loopback that accepts and closes every connection: what the agent tests' tcp probes reach. */
public final class TcpTarget implements AutoCloseable {
    private final ServerSocket socket;

    private TcpTarget(ServerSocket socket) {
        this.socket = socket;
    }

    /** Listens on a free port of 127.0.0.1, accepting on a virtual thread until closed. */
    public static TcpTarget start() throws IOException {
        ServerSocket socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new TcpTarget(socket);
    }

    /** The target as a tcp probe takes it, {@code 127.0.0.1:PORT}. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
