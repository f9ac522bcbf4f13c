package dev.vantage.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.agent.blackbox.BlackboxProber;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's opt-in Prometheus listener ({@code --metrics-listen}): {@code /metrics} (the agent's meters and its
 * probe results as metrics) and blackbox_exporter's {@code /probe}. The JDK's own HTTP server keeps the agent light;
 * each request runs on a virtual thread, so a slow probe blocks nothing else.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final String TEXT_FORMAT = BlackboxProber.TEXT_FORMAT;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final PrometheusMeterRegistry registry;
    private final BlackboxProber prober;

    /** Binds {@code address} and starts serving. */
    public MetricsServer(InetSocketAddress address, PrometheusMeterRegistry registry, BlackboxProber prober) {
        this.registry = registry;
        this.prober = prober;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + " for metrics: " + e.getMessage(), e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("metrics on http://{}/metrics, blackbox probes on /probe", address());
    }

    /** The bound address (its port is the real one when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                send(ex, 405, "text/plain; charset=utf-8", "only GET\n");
                return;
            }
            switch (ex.getRequestURI().getPath()) {
                case "/metrics" -> send(ex, 200, TEXT_FORMAT, registry.scrape());
                case "/probe" -> probe(ex);
                case "/" -> send(ex, 200, "text/plain; charset=utf-8",
                        "Vantage agent: /metrics for its own metrics, /probe?target=...&module=... as blackbox_exporter\n");
                default -> send(ex, 404, "text/plain; charset=utf-8", "not found\n");
            }
        }
    }

    private void probe(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        try {
            String body = prober.probe(q.get("module"), q.get("target"),
                    BlackboxProber.scrapeTimeout(ex.getRequestHeaders().getFirst(BlackboxProber.SCRAPE_TIMEOUT_HEADER)));
            send(ex, 200, TEXT_FORMAT, body);
        } catch (IllegalArgumentException e) {
            send(ex, 400, "text/plain; charset=utf-8", e.getMessage() + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(ex, 503, "text/plain; charset=utf-8", "the agent is stopping\n");
        } catch (RuntimeException e) {
            LOG.warn("/probe failed", e);
            send(ex, 500, "text/plain; charset=utf-8", "probe failed: " + e.getMessage() + "\n");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(k, v);
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /**
     * Reads {@code --metrics-listen}: {@code host:port}, {@code [ipv6]:port} or {@code :port} (every interface). The
     * host must be an IP address or {@code localhost}, so binding never asks a name server.
     */
    public static InetSocketAddress parseListen(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        String problem = "--metrics-listen '" + text + "': expected host:port, e.g. 127.0.0.1:9465";
        if (colon < 0) {
            throw new IllegalArgumentException(problem);
        }
        String host = t.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(problem);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-listen '" + text + "': port must be 0 to 65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        boolean ipv4 = host.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
        if (!host.equals("localhost") && !ipv4 && !host.contains(":")) {
            throw new IllegalArgumentException("--metrics-listen '" + text
                    + "': the host must be an IP address (IPv4 without leading zeros) or localhost");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new IllegalArgumentException("--metrics-listen '" + text + "': " + e.getMessage());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
