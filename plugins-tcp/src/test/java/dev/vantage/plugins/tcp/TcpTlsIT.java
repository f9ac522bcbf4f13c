package dev.vantage.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.TestEngines;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against loopback servers whose certificates keytool makes for this test: one signed by a test CA that the
 * JVM's default trust store is pointed at, one expired, one self-signed by nobody trusted.
 */
class TcpTlsIT {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    static Path dir;
    private static TlsServer good;
    private static TlsServer expired;
    private static TlsServer rogue;

    private final ProbeEngine engine = TestEngines.engine(new TcpProbeProvider());

    @BeforeAll
    static void makeCertificatesAndServers() throws Exception {
        // keytool costs a JVM start each: six runs, independent ones side by side
        await(keytool("-genkeypair", "-keystore", "ca.p12", "-alias", "ca", "-dname", "CN=Vantage Test CA",
                        "-ext", "bc:c", "-validity", "2"),
                keytool("-genkeypair", "-keystore", "leaf.p12", "-alias", "leaf", "-dname", "CN=localhost"),
                keytool("-genkeypair", "-keystore", "rogue.p12", "-alias", "rogue", "-dname", "CN=localhost",
                        "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2"));
        await(keytool("-certreq", "-keystore", "leaf.p12", "-alias", "leaf", "-file", "leaf.csr"));
        String[] issue = {"-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", "leaf.csr", "-rfc",
                "-ext", "san=dns:localhost,ip:127.0.0.1"};
        await(keytool(concat(issue, "-outfile", "good.pem", "-validity", "2")),
                keytool(concat(issue, "-outfile", "expired.pem", "-startdate", "-3d", "-validity", "1")));

        KeyStore ca = load("ca.p12");
        Certificate caCert = ca.getCertificate("ca");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCert);
        try (OutputStream out = Files.newOutputStream(dir.resolve("trust.p12"))) {
            trust.store(out, PASSWORD);
        }
        // The probe verifies against the JVM default trust store; point it at the test CA before first use.
        System.setProperty("javax.net.ssl.trustStore", dir.resolve("trust.p12").toString());
        System.setProperty("javax.net.ssl.trustStorePassword", new String(PASSWORD));

        KeyStore leaf = load("leaf.p12");
        Key key = leaf.getKey("leaf", PASSWORD);
        // servers send the whole chain, as real ones do
        good = new TlsServer(key, pem("good.pem"), caCert);
        expired = new TlsServer(key, pem("expired.pem"), caCert);
        KeyStore self = load("rogue.p12");
        rogue = new TlsServer(self.getKey("rogue", PASSWORD), self.getCertificate("rogue"));
    }

    @AfterAll
    static void stopServers() throws IOException {
        for (TlsServer s : new TlsServer[] {good, expired, rogue}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void recordsTheSessionOfATrustedServer() throws Exception {
        ProbeResult r = run(good, "127.0.0.1", Map.of("tls", true, "expect", "^hello"));
        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.phases()).containsOnlyKeys("connect", "tls", "banner"); // an IP literal: no dns
        assertThat(r.attributes())
                .containsEntry("tlsVersion", "TLSv1.3")
                .containsEntry("tlsVerified", "true")
                .containsEntry("certSubject", "CN=localhost")
                .containsEntry("certIssuer", "CN=Vantage Test CA")
                .containsEntry("certSans", "localhost,127.0.0.1")
                .containsKeys("tlsCipher", "certNotAfter", "certSerial")
                .doesNotContainKeys("tlsSni", "tlsVerifyError"); // no SNI for an IP address
        assertThat(r.measurements().get("certDaysRemaining")).isBetween(1.0, 2.0);
    }

    @Test
    void sendsTheHostAsServerName() throws Exception {
        ProbeResult r = run(good, "localhost", Map.of("tls", true));
        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("tlsSni", "localhost").containsEntry("tlsVerified", "true");
    }

    @Test
    void hostnameMismatchFailsWhenVerifying() throws Exception {
        ProbeResult r = run(good, "127.0.0.1", Map.of("tls", true, "sni", "wrong.example"));
        assertThat(r.error().kind()).as(r.toString()).isEqualTo(ErrorKind.TLS);
        assertThat(r.error().message()).startsWith("host name mismatch (").contains("wrong.example");
        assertThat(r.phases()).containsOnlyKeys("connect");
    }

    @Test
    void hostnameMismatchIsReportedWhenNotVerifying() throws Exception {
        ProbeResult r = run(good, "127.0.0.1", Map.of("tls", true, "sni", "wrong.example", "verifyTls", false,
                "expect", "hello"));
        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("tlsVerified", "false").containsEntry("tlsSni", "wrong.example");
        assertThat(r.attributes().get("tlsVerifyError")).startsWith("host name mismatch (");
    }

    @Test
    void expiredCertificateFailsAndStillShowsItsDates() throws Exception {
        ProbeResult r = run(expired, "localhost", Map.of("tls", true));
        assertThat(r.error().kind()).as(r.toString()).isEqualTo(ErrorKind.TLS);
        assertThat(r.error().message()).startsWith("certificate expired (");
        assertThat(r.attributes()).containsKeys("certNotAfter");
        assertThat(r.measurements().get("certDaysRemaining")).isNegative();
    }

    @Test
    void expiredCertificateIsReportedWhenNotVerifying() throws Exception {
        ProbeResult r = run(expired, "localhost", Map.of("tls", true, "verifyTls", false));
        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("tlsVerified", "false");
        assertThat(r.attributes().get("tlsVerifyError")).startsWith("certificate expired (");
    }

    @Test
    void anUnknownCaIsNotTrustedWhenVerifying() throws Exception {
        ProbeResult r = run(rogue, "localhost", Map.of("tls", true));
        assertThat(r.error().kind()).as(r.toString()).isEqualTo(ErrorKind.TLS);
        assertThat(r.error().message()).startsWith("certificate not trusted (");
        assertThat(r.attributes()).containsEntry("certIssuer", "CN=localhost");
    }

    @Test
    void anUnknownCaIsReportedWhenNotVerifying() throws Exception {
        ProbeResult r = run(rogue, "localhost", Map.of("tls", true, "verifyTls", false, "expect", "hello"));
        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("tlsVerified", "false");
        assertThat(r.attributes().get("tlsVerifyError")).startsWith("certificate not trusted (");
    }

    @Test
    void plainPeerFailsTheHandshake() throws Exception {
        try (TcpProbeIT.Server plain = new TcpProbeIT.Server(c -> c.getOutputStream().write("SSH-2.0\r\n".getBytes()))) {
            ProbeResult r = run(plain.target(), Map.of("tls", true));
            assertThat(r.error().kind()).as(r.toString()).isEqualTo(ErrorKind.TLS);
            assertThat(r.error().message()).startsWith("handshake failed: ");
        }
    }

    @Test
    void aHandshakeThatDribblesEndsAtTheProbesDeadline() throws Exception {
        Duration timeout = Duration.ofSeconds(1); // the probe's deadline: 900 ms
        // one byte of a ServerHello record after 600 ms, then silence: each read stays within SO_TIMEOUT, the
        // handshake does not
        try (TcpProbeIT.Server dribbling = new TcpProbeIT.Server(c -> {
            if (c.getInputStream().read() >= 0) {
                TcpProbeIT.pause(Duration.ofMillis(600).toNanos()); // the peer's own delay
                c.getOutputStream().write(0x16);
                c.getInputStream().readAllBytes(); // until the probe hangs up
            }
        })) {
            ProbeResult r = TestEngines.runOnce(engine, TaskSpec.builder("tcp", dribbling.target()).timeout(timeout)
                    .param("tls", true).build());
            // the probe's own result, not the engine's bare cut-off ('no result within 1s', no phases)
            assertThat(r.error()).as(r.toString()).isNotNull();
            assertThat(r.error().kind()).as(r.toString()).isEqualTo(ErrorKind.TIMEOUT);
            assertThat(r.error().message()).as(r.toString()).isEqualTo("TLS handshake timed out");
            assertThat(r.phases()).containsOnlyKeys("connect");
            assertThat(r.duration()).isLessThan(timeout);
        }
    }

    private ProbeResult run(TlsServer server, String host, Map<String, Object> params) {
        return run(host + ":" + server.port(), params);
    }

    private ProbeResult run(String target, Map<String, Object> params) {
        return TestEngines.runOnce(engine, TaskSpec.builder("tcp", target).timeout(TIMEOUT).params(params).build());
    }

    private static Process keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC")); // starts faster
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", new String(PASSWORD), "-storetype", "PKCS12"));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1"));
        }
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    private static void await(Process... processes) throws Exception {
        for (Process p : processes) {
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool failed: " + p.info().commandLine().orElse("") + "\n" + output);
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    private static KeyStore load(String file) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private static Certificate pem(String file) throws Exception {
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** A loopback TLS server that completes the handshake, says hello and waits for the client to hang up. */
    private static final class TlsServer implements AutoCloseable {
        private final SSLServerSocket socket;

        TlsServer(Key key, Certificate... chain) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, PASSWORD, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            socket = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        Thread.ofVirtual().start(() -> serve((SSLSocket) c));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        private static void serve(SSLSocket c) {
            try (c) {
                c.setSoTimeout(5_000);
                c.startHandshake();
                c.getOutputStream().write("hello\n".getBytes());
                c.getInputStream().read();
            } catch (IOException e) {
                // refused handshakes end here
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
