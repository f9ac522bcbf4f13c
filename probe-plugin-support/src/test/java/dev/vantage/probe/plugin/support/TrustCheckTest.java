package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ProbeResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real handshakes over loopback against a server whose self-signed certificate (SANs localhost and 127.0.0.1) keytool
 * makes for this test, trusted or not; date reasons, which a trusted self-signed root never triggers, through a
 * delegate that fails as the JDK's does.
 */
class TrustCheckTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    private static KeyStore keys;
    private static X509Certificate cert;
    private static SSLServerSocket server;

    @BeforeAll
    static void startServer() throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-genkeypair", "-keystore", "server.p12", "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-alias", "server", "-dname", "CN=localhost", "-keyalg", "EC",
                "-groupname", "secp256r1", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            keys.load(in, PASSWORD);
        }
        cert = (X509Certificate) keys.getCertificate("server");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket c = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (c) {
                            c.setSoTimeout(5_000);
                            ((SSLSocket) c).startHandshake();
                            c.getInputStream().read(); // until the client hangs up
                        } catch (IOException e) {
                            // refused handshakes end here
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
    }

    @Test
    void aTrustedCertificatePassesEitherWay() throws Exception {
        assertThat(TrustCheck.verifyError(handshake(TrustCheck.of(trusting(), true), "localhost"))).isNull();
        SSLSession unverified = handshake(TrustCheck.of(trusting(), false), "localhost");
        assertThat(TrustCheck.verifyError(unverified)).isNull();
        ProbeResult.Builder result = ProbeResult.builder().startedAt(Instant.now());
        TrustCheck.recordVerdict(result, unverified);
        assertThat(result.build().attributes()).containsEntry("tlsVerified", "true").doesNotContainKey("tlsVerifyError");
    }

    @Test
    void anUnknownIssuerIsNotTrusted() throws Exception {
        SSLSession recorded = handshake(TrustCheck.of(TrustCheck.defaultRoots(), false), "localhost");
        assertThat(TrustCheck.verifyError(recorded)).startsWith("certificate not trusted (");
        ProbeResult.Builder result = ProbeResult.builder().startedAt(Instant.now());
        TrustCheck.recordVerdict(result, recorded);
        assertThat(result.build().attributes()).containsEntry("tlsVerified", "false")
                .hasEntrySatisfying("tlsVerifyError", e -> assertThat(e).startsWith("certificate not trusted ("));

        assertThatThrownBy(() -> handshake(TrustCheck.of(TrustCheck.defaultRoots(), true), "localhost"))
                .isInstanceOf(SSLHandshakeException.class)
                .satisfies(e -> {
                    TrustCheck.Refusal refusal = TrustCheck.refusal(e);
                    assertThat(refusal).isNotNull();
                    assertThat(refusal.getMessage()).startsWith("certificate not trusted (");
                    assertThat(refusal.certificate()).isEqualTo(cert);
                });
    }

    @Test
    void aHostNameMismatchIsNamed() throws Exception {
        SSLSession recorded = handshake(TrustCheck.of(trusting(), false), "wrong.example");
        assertThat(TrustCheck.verifyError(recorded)).startsWith("host name mismatch (").contains("wrong.example");

        assertThatThrownBy(() -> handshake(TrustCheck.of(trusting(), true), "wrong.example"))
                .satisfies(e -> assertThat(TrustCheck.refusal(e).getMessage()).startsWith("host name mismatch ("));
    }

    @Test
    void datesAndRevocationAreNamed() {
        assertThat(reason(new CertificateException(new CertificateExpiredException("NotAfter: yesterday"))))
                .isEqualTo("certificate expired (NotAfter: yesterday)");
        assertThat(reason(new CertificateException(new CertPathValidatorException("validity check failed", null,
                null, -1, BasicReason.EXPIRED)))).isEqualTo("certificate expired (validity check failed)");
        assertThat(reason(new CertificateException(new CertificateNotYetValidException("NotBefore: tomorrow"))))
                .isEqualTo("certificate not yet valid (NotBefore: tomorrow)");
        assertThat(reason(new CertificateException(new CertPathValidatorException("revoked", null, null, -1,
                BasicReason.REVOKED)))).isEqualTo("certificate revoked (revoked)");
        assertThat(reason(new CertificateException("odd"))).isEqualTo("certificate rejected (odd)");
    }

    @Test
    void refusalIsNullForOtherFailuresAndClientsAreNeverTrusted() throws Exception {
        assertThat(TrustCheck.refusal(new SSLHandshakeException("no cipher suites in common"))).isNull();
        assertThat(TrustCheck.refusal(null)).isNull();
        assertThatThrownBy(() -> TrustCheck.of(trusting(), false).checkClientTrusted(new X509Certificate[] {cert},
                "EC", (SSLEngine) null)).isInstanceOf(CertificateException.class);
    }

    /** The reason a check gives when its delegate fails with {@code failure}, for chain and host name alike. */
    private static String reason(CertificateException failure) {
        TrustCheck check = TrustCheck.of(new Failing(failure), true);
        try {
            check.checkServerTrusted(new X509Certificate[] {cert}, "EC", (SSLEngine) null);
        } catch (CertificateException e) {
            assertThat(e).isInstanceOf(TrustCheck.Refusal.class).hasCause(failure);
            return e.getMessage();
        }
        throw new AssertionError("not refused");
    }

    private static X509ExtendedTrustManager trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert);
        return TrustCheck.roots(trust);
    }

    /** Connects to the server as {@code host} (SNI and identity) and returns the session of the handshake. */
    private static SSLSession handshake(TrustCheck check, String host) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {check}, null);
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        // layered, so that the JDK takes host, not the loopback address's name, as the peer's identity
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host,
                server.getLocalPort(), true)) {
            socket.setSoTimeout(5_000);
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setServerNames(List.of(new SNIHostName(host)));
            socket.setSSLParameters(params);
            socket.startHandshake();
            return socket.getSession();
        }
    }

    /** A delegate that refuses every server as the JDK would, with the given exception. */
    private static final class Failing extends X509ExtendedTrustManager {
        private final CertificateException failure;

        Failing(CertificateException failure) {
            this.failure = failure;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw failure;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw failure;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw failure;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
