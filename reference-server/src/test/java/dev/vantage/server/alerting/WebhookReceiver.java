package dev.vantage.server.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on loopback that keeps every request whose signature (docs/alerting.md, computed here
 * independently of the server's signer with {@link #SECRET}) is right, and answers 401 to the others; or, made
 * {@link #failing}, a receiver that answers every request with an error of its own.
 */
public final class WebhookReceiver implements AutoCloseable {
    public static final String SECRET = "whsec-for-tests-0123456789";

    private final HttpServer server;
    public final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
    public final List<String> refused = new CopyOnWriteArrayList<>();

    public WebhookReceiver() throws IOException {
        this(0, null);
    }

    /** A receiver that answers every request with {@code status} and {@code text}, keeping nothing. */
    public static WebhookReceiver failing(int status, String text) throws IOException {
        return new WebhookReceiver(status, text);
    }

    private WebhookReceiver(int failStatus, String failText) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (failStatus != 0) {
                byte[] answer = failText.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(failStatus, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
                return;
            }
            String timestamp = exchange.getRequestHeaders().getFirst("X-Vantage-Timestamp");
            String signature = exchange.getRequestHeaders().getFirst("X-Vantage-Signature");
            boolean ok = timestamp != null && ("sha256=" + hmac(timestamp, body)).equals(signature);
            if (ok) {
                accepted.add(JsonMapping.MAPPER.readTree(body));
            } else {
                refused.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(ok ? 200 : 401, -1);
            exchange.close();
        });
        server.start();
    }

    /** The documented recipe, computed here independently of the server's signer. */
    static String hmac(String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public List<String> kinds() {
        return accepted.stream().map(n -> n.get("kind").asText()).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
