package dev.vantage.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.agent.uplink.ClientCertificate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the agent's client certificate without an operator: at two thirds of its lifetime (at once when it has
 * none) it sends a CSR to {@code POST /api/v1/agents/certificate}, authenticated by the certificate it still holds
 * and its bearer credential, and installs the answer. A failure is retried after a tenth of the time left (1 s to
 * 1 min); a certificate that expired meanwhile is still renewed with the bearer credential where the server allows it.
 */
final class CertificateRenewal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ClientCertificate certificate;
    private final Supplier<URI> server;
    private final String authorization;
    private final HttpClient http;
    private final Thread thread;
    private volatile boolean closed;

    /** @param server the agent WebSocket URI of the server the uplink uses now */
    CertificateRenewal(ClientCertificate certificate, Supplier<URI> server, String authorization, SSLContext tls) {
        this.certificate = certificate;
        this.server = server;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).sslContext(tls).build();
        this.thread = Thread.ofVirtual().name("certificate-renewal").start(this::run);
    }

    private void run() {
        while (!closed) {
            try {
                sleepUntil(certificate.renewAt());
                if (closed) {
                    return;
                }
                renew();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                Instant now = Instant.now();
                Duration left = certificate.certificate()
                        .map(c -> Duration.between(now, c.getNotAfter().toInstant())).orElse(Duration.ZERO);
                Duration wait = clamp(left.dividedBy(10), Duration.ofSeconds(1), Duration.ofMinutes(1));
                LOG.warn("client certificate not renewed ({}); trying again in {}", e.getMessage(), wait);
                try {
                    sleepUntil(now.plus(wait));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void renew() throws IOException, InterruptedException {
        URI uri = Enrollment.enrollUri(server.get()).resolve("/api/v1/agents/certificate");
        String body = JSON.createObjectNode().put("csr", certificate.csr()).toString();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + uri);
        }
        JsonNode n = JSON.readTree(response.body());
        if (!n.path("certificate").isTextual()) {
            throw new IOException(uri + " answered without a certificate");
        }
        certificate.install(n.get("certificate").textValue());
        LOG.info("client certificate renewed, valid until {}", certificate.certificate().orElseThrow().getNotAfter().toInstant());
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long ms = Duration.between(Instant.now(), when).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        http.close();
    }
}
