package com.example.vantage.embedding;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A loopback TCP server that reads one line per connection, records it, and answers with the line the test chooses
 * (an echo by default; {@code null} means stay silent until the client leaves).
 */
final class LineServer implements AutoCloseable {
    private final ServerSocket server;
    private final UnaryOperator<String> reply;
    private final List<String> received = new CopyOnWriteArrayList<>();

    LineServer(UnaryOperator<String> reply) throws IOException {
        this.reply = reply;
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().name("line-server").start(this::accept);
    }

    static LineServer echo() throws IOException {
        return new LineServer(UnaryOperator.identity());
    }

    String target() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The lines received so far, in order. */
    List<String> received() {
        return List.copyOf(received);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return; // closed by the test
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(5_000); // never outlive a test by much
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            received.add(line);
            String answer = reply.apply(line);
            if (answer == null) {
                in.read(); // silent: wait until the client gives up
                return;
            }
            OutputStream out = client.getOutputStream();
            out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // the client went away; nothing to serve
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
