package dev.vantage.benchmarks.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A webhook channel's receiver on 127.0.0.1: answers 204 at once and counts the notifications by {@code kind}
 * (firing, resolved, reminder, test). It does not check signatures: the server's tests do.
 */
final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, LongAdder> kinds = new ConcurrentHashMap<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hook", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            }
            kinds.computeIfAbsent(kind(body), k -> new LongAdder()).increment();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    /** The value of the body's top-level {@code "kind"} field (the webhook body's first string field of that name). */
    private static String kind(String body) {
        int at = body.indexOf("\"kind\":\"");
        int end = at < 0 ? -1 : body.indexOf('"', at + 8);
        return end < 0 ? "?" : body.substring(at + 8, end);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** How many notifications of each kind arrived so far. */
    Map<String, Long> counts() {
        Map<String, Long> out = new java.util.TreeMap<>();
        kinds.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
