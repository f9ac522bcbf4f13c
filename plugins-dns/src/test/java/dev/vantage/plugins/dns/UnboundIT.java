package dev.vantage.plugins.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.TestEngines;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The probe against a real, independent DNS server: Debian's Unbound, started by the test on loopback with a local
 * zone, answering UDP, TCP and DNS over TLS (a test CA's certificate). Every name outside the zone is refused by
 * the configuration ({@code local-zone: "." refuse}), so Unbound never asks anyone. Skipped, with the reason, where
 * Unbound is not installed ({@code .ci/run} installs it).
 */
class UnboundIT {
    private static final String UNBOUND = "/usr/sbin/unbound";

    @TempDir
    static Path dir;
    private static Process unbound;
    private static int port;
    private static int dotPort;
    private static X509Bundle ca;
    private static ProbeEngine engine;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(new File(UNBOUND).canExecute(),
                "Unbound is not installed (apt-get install unbound); .ci/run installs it");
        ca = new CertificateBuilder().subject("CN=Vantage Test CA").setIsCertificateAuthority(true).ecp256()
                .buildSelfSigned();
        X509Bundle leaf = new CertificateBuilder().subject("CN=unbound.example.test").ecp256()
                .addExtendedKeyUsageServerAuth().addSanIpAddress("127.0.0.1").buildIssuedBy(ca);
        Files.writeString(dir.resolve("key.pem"), leaf.getPrivateKeyPEM());
        Files.writeString(dir.resolve("cert.pem"), leaf.getCertificatePathPEM());
        port = freePort();
        dotPort = freePort();
        List<String> config = new ArrayList<>(List.of(
                "server:",
                "  interface: 127.0.0.1@" + port,
                "  interface: 127.0.0.1@" + dotPort,
                "  tls-port: " + dotPort,
                "  tls-service-key: \"" + dir.resolve("key.pem") + "\"",
                "  tls-service-pem: \"" + dir.resolve("cert.pem") + "\"",
                "  do-daemonize: no",
                "  username: \"\"",
                "  chroot: \"\"",
                "  directory: \"" + dir + "\"",
                "  pidfile: \"\"",
                "  use-syslog: no",
                "  logfile: \"\"",
                "  do-ip6: no",
                "  num-threads: 1",
                "  access-control: 127.0.0.0/8 allow",
                "  module-config: \"iterator\"",
                "  local-zone: \".\" refuse", // never recurse: names outside the zone are refused
                "  local-zone: \"example.test.\" static",
                "  local-zone: \"127.in-addr.arpa.\" static",
                "  local-data: \"example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 7 3600 600 86400 60\"",
                "  local-data: \"example.test. 3600 IN NS ns1.example.test.\"",
                "  local-data: \"example.test. 3600 IN MX 10 mail.example.test.\"",
                "  local-data: 'example.test. 300 IN TXT \"v=spf1 \" \"-all\"'",
                "  local-data: 'example.test. 3600 IN CAA 0 issue \"ca.example\"'",
                "  local-data: \"www.example.test. 300 IN A 192.0.2.1\"",
                "  local-data: \"www.example.test. 300 IN AAAA 2001:db8::1\"",
                "  local-data: \"alias.example.test. 120 IN CNAME www.example.test.\"",
                "  local-data: \"_sip._udp.example.test. 300 IN SRV 10 60 5060 sip.example.test.\"",
                "  local-data-ptr: \"127.0.0.1 localhost.example.test.\""));
        for (int i = 0; i < 40; i++) {
            config.add("  local-data: 'big.example.test. 300 IN TXT \"record " + i
                    + " of a TXT set larger than the EDNS size offered\"'");
        }
        config.addAll(List.of("remote-control:", "  control-enable: no"));
        Files.write(dir.resolve("unbound.conf"), config);
        unbound = new ProcessBuilder(UNBOUND, "-d", "-c", dir.resolve("unbound.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("unbound.log").toFile()).start();
        engine = TestEngines.engine(new DnsProbeProvider());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .failFast("unbound exited: " + dir.resolve("unbound.log"), () -> !unbound.isAlive())
                .until(() -> run("www.example.test", "transport", "tcp").status() == ProbeStatus.SUCCESS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (unbound != null) {
            unbound.destroy();
            unbound.waitFor();
        }
    }

    private static int freePort() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; ; i++) {
            try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(loopback, 0));
                 ServerSocket t = new ServerSocket(u.getLocalPort(), 1, loopback)) {
                return u.getLocalPort(); // free on both protocols
            } catch (java.io.IOException taken) {
                if (i == 20) {
                    throw taken;
                }
            }
        }
    }

    private static ProbeResult run(String target, Object... params) {
        TaskSpec.Builder b = TaskSpec.builder("dns", target).timeout(Duration.ofSeconds(3))
                .param("resolver", "127.0.0.1:" + port);
        for (int i = 0; i + 1 < params.length; i += 2) {
            b.param((String) params[i], params[i + 1]);
        }
        return TestEngines.runOnce(engine, b.build());
    }

    @ParameterizedTest(name = "{0} {1} over {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "A     | www.example.test       | udp | [\"192.0.2.1\"]",
        "AAAA  | www.example.test       | tcp | [\"2001:db8:0:0:0:0:0:1\"]",
        "CNAME | alias.example.test     | udp | [\"www.example.test.\"]",
        "MX    | example.test           | udp | [\"10 mail.example.test.\"]",
        "NS    | example.test           | tcp | [\"ns1.example.test.\"]",
        "TXT   | example.test           | udp | [\"v=spf1 -all\"]",
        "SOA   | example.test           | udp | [\"ns1.example.test. hostmaster.example.test. 7 3600 600 86400 60\"]",
        "SRV   | _sip._udp.example.test | udp | [\"10 60 5060 sip.example.test.\"]",
        "CAA   | example.test           | tcp | [\"0 issue \\\"ca.example\\\"\"]",
        "PTR   | 127.0.0.1              | udp | [\"localhost.example.test.\"]",
    })
    void everyTypeAsUnboundAnswersIt(String type, String target, String transport, String answers) {
        ProbeResult r = run(target, "type", type, "transport", transport);
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("answers", answers).containsEntry("transport", transport)
                .containsEntry("rcode", "NOERROR");
        assertThat(r.attributes().get("flags")).contains("qr", "aa", "rd", "ra");
    }

    @Test
    void aTruncatedAnswerFromUnboundIsAskedAgainOverTcp() {
        ProbeResult r = run("big.example.test", "type", "TXT");
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("truncated", "true").containsEntry("transport", "tcp");
        assertThat(r.measurements()).containsEntry("answerCount", 40.0);
        assertThat(r.phases()).containsKeys("udpQuery", "connect", "query");
    }

    @Test
    void nxdomainAndRefusedFromUnbound() {
        ProbeResult nx = run("nope.example.test");
        assertThat(nx.error().kind()).as("%s", nx).isEqualTo(ErrorKind.DNS);
        assertThat(nx.attributes()).containsEntry("rcode", "NXDOMAIN");
        ProbeResult refused = run("www.outside.example"); // outside the local zone: refused, never looked up
        assertThat(refused.error().kind()).as("%s", refused).isEqualTo(ErrorKind.REFUSED);
        assertThat(refused.attributes()).containsEntry("rcode", "REFUSED");
    }

    @Test
    void dnsOverTlsToUnbound() {
        ProbeResult r = run("www.example.test", "transport", "dot", "resolver", "127.0.0.1:" + dotPort,
                "caCert", ca.getCertificatePEM());
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("answers", "[\"192.0.2.1\"]").containsEntry("tlsVerified", "true")
                .containsEntry("transport", "dot");
        assertThat(r.phases()).containsKeys("connect", "tls", "query");
    }
}
