package dev.vantage.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.agent.uplink.ClientCertificate;
import dev.vantage.agent.uplink.ServerTrust;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Trades an enrollment token for the agent's own credential ({@code POST /api/v1/agents/enroll}, section 1 of
 * docs/agent-protocol.md). Blocking; call it once before starting an {@link AgentRuntime}.
 */
public final class Enrollment {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Enrollment() {
    }

    /**
     * Enrolls with the server behind {@code server} (the agent WebSocket URI; the HTTP base is derived from it:
     * ws→http, wss→https).
     *
     * @throws EnrollmentException when the server refuses or answers something unexpected; the message never holds
     *                             the token or a credential
     */
    public static AgentCredential enroll(URI server, String token, String name, Map<String, String> labels)
            throws IOException, InterruptedException {
        return enroll(server, token, name, labels, ServerTrust.system());
    }

    /** As {@link #enroll(URI, String, String, Map)}, trusting an {@code https://} server by {@code tls}. */
    public static AgentCredential enroll(URI server, String token, String name, Map<String, String> labels,
                                         SSLContext tls) throws IOException, InterruptedException {
        return enroll(server, token, name, labels, tls, null);
    }

    /**
     * As {@link #enroll(URI, String, String, Map, SSLContext)}, asking also for a client certificate of
     * {@code certificate}'s key, which is installed when the server signs one (an HTTPS server).
     */
    public static AgentCredential enroll(URI server, String token, String name, Map<String, String> labels,
                                         SSLContext tls, ClientCertificate certificate)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("token", token).put("name", name);
        ObjectNode l = body.putObject("labels");
        labels.forEach(l::put);
        if (certificate != null) {
            body.put("csr", certificate.csr());
        }
        URI uri = enrollUri(server);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).sslContext(tls).build()) {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            String said = response.body() == null ? "" : response.body().replace(token, "***");
            throw new EnrollmentException("enrollment at " + uri + " was refused with HTTP " + response.statusCode()
                    + (said.isBlank() ? "" : ": " + abbreviate(said)));
        }
        JsonNode n;
        try {
            n = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new EnrollmentException("enrollment at " + uri + " answered with something that is not JSON");
        }
        if (n == null || !n.path("agentId").isTextual() || !n.path("credential").isTextual()) {
            throw new EnrollmentException("enrollment at " + uri + " answered without agentId and credential");
        }
        if (certificate != null && n.path("certificate").isTextual()) {
            certificate.install(n.get("certificate").textValue());
        }
        return new AgentCredential(n.get("agentId").textValue(), n.get("credential").textValue());
    }

    /**
     * The credential in {@code dataDir/agent.json}, or, on the first start, a new one from {@link #enroll} which is
     * then saved there. Later starts ignore {@code token}.
     *
     * @throws EnrollmentException if there is no saved credential and no token
     */
    public static AgentCredential loadOrEnroll(Path dataDir, URI server, String token, String name,
                                               Map<String, String> labels) throws IOException, InterruptedException {
        return loadOrEnroll(dataDir, java.util.List.of(server), token, name, labels);
    }

    /**
     * As {@link #loadOrEnroll(Path, URI, String, String, Map)}, enrolling through the first of several replicas
     * that can be reached; one that answers and refuses the token ends the attempt (the others would refuse it too).
     */
    public static AgentCredential loadOrEnroll(Path dataDir, java.util.List<URI> servers, String token, String name,
                                               Map<String, String> labels) throws IOException, InterruptedException {
        return loadOrEnroll(dataDir, servers, token, name, labels, ServerTrust.system());
    }

    /** As {@link #loadOrEnroll(Path, java.util.List, String, String, Map)}, trusting servers by {@code tls}. */
    public static AgentCredential loadOrEnroll(Path dataDir, java.util.List<URI> servers, String token, String name,
                                               Map<String, String> labels, SSLContext tls)
            throws IOException, InterruptedException {
        return loadOrEnroll(dataDir, servers, token, name, labels, tls, null);
    }

    /** As {@link #loadOrEnroll(Path, java.util.List, String, String, Map, SSLContext)}, with a client certificate. */
    public static AgentCredential loadOrEnroll(Path dataDir, java.util.List<URI> servers, String token, String name,
                                               Map<String, String> labels, SSLContext tls,
                                               ClientCertificate certificate)
            throws IOException, InterruptedException {
        Optional<AgentCredential> saved = AgentCredential.load(dataDir);
        if (saved.isPresent()) {
            return saved.get();
        }
        if (token == null || token.isBlank()) {
            throw new EnrollmentException("this agent has not enrolled yet (no " + dataDir.resolve(AgentCredential.FILE)
                    + "): pass an enrollment token");
        }
        IOException unreachable = null;
        for (URI server : servers) {
            try {
                AgentCredential credential = enroll(server, token, name, labels, tls, certificate);
                credential.save(dataDir);
                return credential;
            } catch (EnrollmentException e) {
                throw e;
            } catch (IOException e) {
                unreachable = e; // cannot reach this one: try the next
            }
        }
        throw unreachable;
    }

    /** {@code ws://host:port/anything} → {@code http://host:port/api/v1/agents/enroll} (wss → https). */
    public static URI enrollUri(URI server) {
        String scheme = server.getScheme() == null ? "" : server.getScheme().toLowerCase(Locale.ROOT);
        String http = switch (scheme) {
            case "ws", "http" -> "http";
            case "wss", "https" -> "https";
            default -> throw new IllegalArgumentException("server must be a ws:// or wss:// URI, got " + server);
        };
        try {
            return new URI(http, null, server.getHost(), server.getPort(), "/api/v1/agents/enroll", null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("server URI " + server + ": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }

    /** Enrollment failed; the message says why, without secrets. */
    public static final class EnrollmentException extends IOException {
        private static final long serialVersionUID = 1L;

        public EnrollmentException(String message) {
            super(message);
        }
    }
}
