package dev.vantage.server.tls;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** A bare agent-WebSocket client for mTLS tests: presents any certificate, and tells how the server answered. */
final class MtlsClient {
    private MtlsClient() {
    }

    static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * A client context presenting {@code cert} with {@code keys} whatever CAs the server asks for (the JDK's own key
     * manager would hold back a certificate of another CA; an attacker does not), trusting {@code serverCa}.
     */
    static SSLContext context(KeyPair keys, X509Certificate cert, X509Certificate serverCa) throws Exception {
        X509ExtendedKeyManager always = new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"agent"};
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "agent";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return "agent";
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return new X509Certificate[] {cert};
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return keys.getPrivate();
            }
        };
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", serverCa);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {always}, tmf.getTrustManagers(), null);
        return context;
    }

    /** An agent WebSocket, or {@code null} when TLS or the upgrade failed; {@code ended} completes with the close code. */
    record Connection(WebSocket ws, CompletableFuture<Integer> ended) {
    }

    static Connection connect(SSLContext tls, URI uri, String bearer) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        CompletableFuture<Integer> ended = new CompletableFuture<>();
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            WebSocket ws = b.buildAsync(uri, new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    ended.complete(statusCode);
                    return null;
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    ended.complete(-1);
                }
            }).get(10, TimeUnit.SECONDS);
            return new Connection(ws, ended);
        } catch (ExecutionException e) {
            // an upgrade answered with an HTTP status: its code; TLS refused: -1
            int status = e.getCause() instanceof WebSocketHandshakeException h ? h.getResponse().statusCode() : -1;
            return new Connection(null, CompletableFuture.completedFuture(status));
        }
    }

    /**
     * How an attempt ends: "handshake" when TLS failed, "refused 401" when the upgrade was answered with that status,
     * "closed 4001" when the server closed it at once, "open" when it stayed open for 3 s (then it is dropped).
     */
    static String attempt(SSLContext tls, URI uri, String bearer) throws Exception {
        Connection c = connect(tls, uri, bearer);
        if (c.ws() == null) {
            int status = c.ended().get();
            return status < 0 ? "handshake" : "refused " + status;
        }
        try {
            return "closed " + c.ended().get(3, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            c.ws().abort();
            return "open";
        }
    }
}
