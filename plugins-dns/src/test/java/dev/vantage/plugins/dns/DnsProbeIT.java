package dev.vantage.plugins.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.Assertion.Op;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.TestEngines;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import javax.net.ssl.SSLContext;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * The dns probe against the test's own authoritative server on loopback (UDP, TCP, DoT and DoH listeners with a
 * test CA's certificate). No test here asks any other resolver.
 */
class DnsProbeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private static X509Bundle ca;
    private static TestDnsServer server;
    private static ProbeEngine engine;

    @BeforeAll
    static void start() throws Exception {
        ca = new CertificateBuilder().subject("CN=Vantage Test CA").setIsCertificateAuthority(true).ecp256()
                .buildSelfSigned();
        X509Bundle leaf = new CertificateBuilder().subject("CN=dns.example.test").ecp256()
                .addExtendedKeyUsageServerAuth().addSanDnsName("dns.example.test").addSanIpAddress("127.0.0.1")
                .buildIssuedBy(ca);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(leaf.toKeyManagerFactory().getKeyManagers(), null, null);
        server = TestDnsServer.start().withDot(tls).withDoh(tls);
        engine = TestEngines.engine(new DnsProbeProvider());
    }

    @AfterAll
    static void stop() {
        engine.close();
        server.close();
    }

    private static TaskSpec.Builder task(String target, Object... params) {
        TaskSpec.Builder b = TaskSpec.builder("dns", target).timeout(TIMEOUT).param("resolver", server.address());
        for (int i = 0; i + 1 < params.length; i += 2) {
            b.param((String) params[i], params[i + 1]);
        }
        return b;
    }

    private static ProbeResult run(String target, Object... params) {
        return TestEngines.runOnce(engine, task(target, params).build());
    }

    private static void succeeded(ProbeResult r) {
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("rcode", "NOERROR");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "A     | www.example.test           | [\"192.0.2.1\",\"192.0.2.2\"]",
        "AAAA  | www.example.test           | [\"2001:db8:0:0:0:0:0:1\"]",
        "CNAME | alias.example.test         | [\"www.example.test.\"]",
        "MX    | example.test               | [\"10 mail.example.test.\"]",
        "NS    | example.test               | [\"ns1.example.test.\"]",
        "TXT   | example.test               | [\"v=spf1 ip4:192.0.2.0/24 -all\"]",
        "SOA   | example.test.              | [\"ns1.example.test. hostmaster.example.test. 2026120701 3600 600 86400 60\"]",
        "SRV   | _sip._udp.example.test     | [\"10 60 5060 sip.example.test.\"]",
        "CAA   | example.test               | [\"0 issue \\\"ca.example\\\"\"]",
        "PTR   | 127.0.0.1                  | [\"localhost.example.test.\"]",
        "PTR   | 1.0.0.127.in-addr.arpa     | [\"localhost.example.test.\"]",
    })
    void eachQueryTypeIsAnsweredAsStructuredData(String type, String target, String answers) {
        ProbeResult r = run(target, "type", type);
        succeeded(r);
        assertThat(r.attributes().get("answers")).isEqualTo(answers);
        assertThat(r.attributes()).containsEntry("transport", "udp").containsEntry("truncated", "false")
                .containsEntry("remoteAddress", "127.0.0.1").containsEntry("ad", "false");
        assertThat(r.attributes().get("flags")).isEqualTo("qr aa rd");
        assertThat(r.attributes().get("records")).contains("\"type\":\"" + type + "\"");
        assertThat(r.phases()).containsOnlyKeys("resolve", "query");
        assertThat(r.measurements().get("responseBytes")).isGreaterThan(12);
        if (type.equals("PTR")) {
            assertThat(r.attributes()).containsEntry("qname", "1.0.0.127.in-addr.arpa.");
        }
    }

    @Test
    void anAnswerReportsItsRecordsTtlsAndSize() {
        ProbeResult r = run("alias.example.test");
        succeeded(r);
        // the CNAME leads the answer section; the answers of the type asked are the addresses only
        assertThat(r.attributes().get("records")).isEqualTo("[{\"name\":\"alias.example.test.\",\"type\":\"CNAME\","
                + "\"ttl\":120,\"data\":\"www.example.test.\"},{\"name\":\"www.example.test.\",\"type\":\"A\","
                + "\"ttl\":300,\"data\":\"192.0.2.1\"},{\"name\":\"www.example.test.\",\"type\":\"A\",\"ttl\":60,"
                + "\"data\":\"192.0.2.2\"}]");
        assertThat(r.attributes().get("answers")).isEqualTo("[\"192.0.2.1\",\"192.0.2.2\"]");
        assertThat(r.measurements()).containsEntry("answerCount", 3.0).containsEntry("minTtlSeconds", 60.0);
        Message seen = server.queries().getLast();
        assertThat(r.measurements().get("responseBytes")).isGreaterThan(seen.toWire().length);
    }

    @Test
    void nxdomainAndServfailFailWithTheRcodeNamed() {
        ProbeResult nx = run("nope.example.test");
        assertThat(nx.status()).as("%s", nx).isEqualTo(ProbeStatus.FAILURE);
        assertThat(nx.error().kind()).isEqualTo(ErrorKind.DNS);
        assertThat(nx.error().message()).startsWith("NXDOMAIN for nope.example.test. A from 127.0.0.1 port ");
        assertThat(nx.attributes()).containsEntry("rcode", "NXDOMAIN").containsEntry("answers", "[]");
        assertThat(nx.measurements()).containsEntry("answerCount", 0.0).doesNotContainKey("minTtlSeconds");

        ProbeResult fail = run("servfail.example.test");
        assertThat(fail.error().kind()).isEqualTo(ErrorKind.DNS);
        assertThat(fail.error().message()).startsWith("SERVFAIL for servfail.example.test. A");

        ProbeResult refused = run("www.refused.test");
        assertThat(refused.error().kind()).isEqualTo(ErrorKind.REFUSED);
        assertThat(refused.error().message()).startsWith("REFUSED for www.refused.test. A");
    }

    @Test
    void aNameWithoutRecordsOfTheTypeSucceedsWithNoAnswers() {
        ProbeResult r = run("www.example.test", "type", "MX");
        succeeded(r);
        assertThat(r.attributes()).containsEntry("answers", "[]");
        assertThat(r.measurements()).containsEntry("answerCount", 0.0);
    }

    @Test
    void aTruncatedUdpAnswerIsAskedAgainOverTcp() {
        int before = server.queries().size();
        ProbeResult r = run(TestDnsServer.BIG, "type", "TXT");
        succeeded(r);
        assertThat(r.attributes()).containsEntry("truncated", "true").containsEntry("transport", "tcp");
        assertThat(r.phases()).containsOnlyKeys("resolve", "udpQuery", "connect", "query");
        assertThat(List.copyOf(r.phases().keySet())).containsExactly("resolve", "udpQuery", "connect", "query");
        assertThat(r.measurements()).containsEntry("answerCount", 40.0);
        assertThat(r.measurements().get("responseBytes")).isGreaterThan(1232);
        assertThat(server.queries().size() - before).isEqualTo(2);
    }

    @Test
    void withoutEdnsAnswersAreLimitedTo512BytesAndNoOptIsSent() {
        ProbeResult small = run("www.example.test", "ednsBufferSize", 0);
        succeeded(small);
        assertThat(server.queries().getLast().getOPT()).isNull();
        assertThat(small.attributes()).containsEntry("truncated", "false");

        ProbeResult big = run(TestDnsServer.BIG, "type", "TXT", "ednsBufferSize", 65535);
        succeeded(big);
        assertThat(big.attributes()).containsEntry("truncated", "false").containsEntry("transport", "udp");
        assertThat(server.queries().getLast().getOPT().getPayloadSize()).isEqualTo(65535);
    }

    @Test
    void tcpOnlyConnectsAndAsks() {
        ProbeResult r = run("www.example.test", "transport", "tcp");
        succeeded(r);
        assertThat(r.attributes()).containsEntry("transport", "tcp");
        assertThat(List.copyOf(r.phases().keySet())).containsExactly("resolve", "connect", "query");
    }

    @Test
    void theRecursionAndDnssecOkFlagsGoOutAndTheAdFlagComesBack() {
        ProbeResult plain = run("www.example.test", "recursion", false);
        succeeded(plain);
        Message q = server.queries().getLast();
        assertThat(q.getHeader().getFlag(Flags.RD)).isFalse();
        assertThat(q.getOPT().getFlags() & ExtendedFlags.DO).isZero();
        assertThat(q.getOPT().getPayloadSize()).isEqualTo(1232);
        assertThat(plain.attributes()).containsEntry("ad", "false").containsEntry("flags", "qr aa");

        ProbeResult dnssec = run("www.example.test", "dnssecOk", true);
        succeeded(dnssec);
        q = server.queries().getLast();
        assertThat(q.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(q.getOPT().getFlags() & ExtendedFlags.DO).isNotZero();
        assertThat(dnssec.attributes()).containsEntry("ad", "true").containsEntry("flags", "qr aa rd ad");
    }

    @Test
    void dnsOverTlsVerifiesTheResolversCertificate() {
        ProbeResult r = run("www.example.test", "transport", "dot", "resolver", server.dotAddress(),
                "caCert", ca.getCertificatePEM());
        succeeded(r);
        assertThat(r.attributes()).containsEntry("transport", "dot").containsEntry("tlsVerified", "true")
                .containsEntry("certSubject", "CN=dns.example.test").containsKey("tlsVersion");
        assertThat(List.copyOf(r.phases().keySet())).containsExactly("resolve", "connect", "tls", "query");

        // the JDK's default roots do not know the test CA
        ProbeResult untrusted = run("www.example.test", "transport", "dot", "resolver", server.dotAddress());
        assertThat(untrusted.error().kind()).as("%s", untrusted).isEqualTo(ErrorKind.TLS);
        assertThat(untrusted.error().message()).contains("certificate not trusted");

        ProbeResult wrongName = run("www.example.test", "transport", "dot", "resolver", server.dotAddress(),
                "caCert", ca.getCertificatePEM(), "sni", "other.example.test");
        assertThat(wrongName.error().kind()).isEqualTo(ErrorKind.TLS);
        assertThat(wrongName.error().message()).contains("host name mismatch");

        ProbeResult unverified = run("www.example.test", "transport", "dot", "resolver", server.dotAddress(),
                "verifyTls", false);
        succeeded(unverified);
        assertThat(unverified.attributes()).containsEntry("tlsVerified", "false");
    }

    @Test
    void dnsOverHttpsPostsTheQuery() {
        ProbeResult r = run("www.example.test", "transport", "doh", "resolver", server.dohUrl("127.0.0.1"),
                "caCert", ca.getCertificatePEM());
        succeeded(r);
        assertThat(r.attributes()).containsEntry("transport", "doh").containsEntry("answers",
                "[\"192.0.2.1\",\"192.0.2.2\"]");
        assertThat(r.measurements()).containsEntry("httpStatus", 200.0);
        assertThat(List.copyOf(r.phases().keySet())).containsExactly("resolve", "connect", "tls", "query");

        ProbeResult teapot = run("www.example.test", "transport", "doh", "caCert", ca.getCertificatePEM(),
                "resolver", "https://127.0.0.1:" + server.dohPort() + "/teapot");
        assertThat(teapot.error().kind()).as("%s", teapot).isEqualTo(ErrorKind.PROTOCOL);
        assertThat(teapot.error().message()).startsWith("HTTP status 418 from https://127.0.0.1:");
    }

    @Test
    void aHijackedAnswerIsCaughtByTheAssertions() {
        Assertion ours = Assertion.of("attribute.answers", Op.WITHIN_CIDR, "192.0.2.0/24, 2001:db8::/32");
        Assertion exactly = Assertion.of("attribute.answers", Op.SET_EQUALS, "192.0.2.2, 192.0.2.1");
        Assertion has = Assertion.of("attribute.answers", Op.INCLUDES, "192.0.2.1");

        server.set("bank.example.test", new ARecord(TestDnsServer.name("bank.example.test"), DClass.IN, 300,
                address("192.0.2.1")), new ARecord(TestDnsServer.name("bank.example.test"), DClass.IN, 300,
                address("192.0.2.2")));
        ProbeResult honest = TestEngines.runOnce(engine, task("bank.example.test").assertion(ours)
                .assertion(exactly).assertion(has).build());
        assertThat(honest.status()).as("%s", honest).isEqualTo(ProbeStatus.SUCCESS);

        // the resolver now hands out an address outside our ranges next to a genuine one
        server.set("bank.example.test", new ARecord(TestDnsServer.name("bank.example.test"), DClass.IN, 300,
                address("192.0.2.1")), new ARecord(TestDnsServer.name("bank.example.test"), DClass.IN, 300,
                address("203.0.113.66")));
        ProbeResult hijacked = TestEngines.runOnce(engine, task("bank.example.test").assertion(ours)
                .assertion(exactly).assertion(has).build());
        assertThat(hijacked.status()).isEqualTo(ProbeStatus.FAILURE);
        assertThat(hijacked.error().kind()).isEqualTo(ErrorKind.ASSERTION);
        assertThat(hijacked.assertions()).extracting(a -> a.passed()).containsExactly(false, false, true);
        assertThat(hijacked.assertions().getFirst().actual()).isEqualTo("[\"192.0.2.1\",\"203.0.113.66\"]");
    }

    @Test
    void aSilentResolverTimesOutAtTheDeadline() {
        for (String transport : List.of("udp", "tcp")) {
            Duration timeout = Duration.ofMillis(500);
            long t0 = System.nanoTime();
            ProbeResult r = TestEngines.runOnce(engine, task("www.silent.example.test", "transport", transport)
                    .timeout(timeout).build());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.TIMEOUT);
            assertThat(r.error().message()).startsWith("no answer from 127.0.0.1 port ");
            // the probe's own deadline (450 ms) ends it, not the engine's cut-off
            assertThat(r.duration()).isBetween(Duration.ofMillis(440), Duration.ofMillis(499));
            assertThat(took).isLessThan(timeout.plusMillis(500));
        }
    }

    @Test
    void aClosedPortIsRefusedOverUdpAndTcp() throws Exception {
        int port;
        try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ServerSocket t = new ServerSocket(u.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
            port = u.getLocalPort(); // free on both protocols once closed
        }
        for (String transport : List.of("udp", "tcp")) {
            ProbeResult r = run("www.example.test", "transport", transport, "resolver", "127.0.0.1:" + port);
            assertThat(r.error().kind()).as("%s", r).isEqualTo(ErrorKind.REFUSED);
            assertThat(r.error().message()).startsWith("127.0.0.1 port " + port);
        }
    }

    @Test
    void theResolverIsTheAddressThePolicyJudges() {
        int before = server.queries().size();
        AddressPolicy denyLoopback = AddressPolicy.builder().deny("127.0.0.0/8").build();
        try (ProbeEngine strict = TestEngines.engine(new DnsProbeProvider(), denyLoopback)) {
            for (String transport : List.of("udp", "tcp", "dot")) {
                ProbeResult r = TestEngines.runOnce(strict, task("www.example.test", "transport", transport,
                        "resolver", transport.equals("dot") ? server.dotAddress() : server.address()).build());
                assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.ERROR);
                assertThat(r.error().kind()).isEqualTo(ErrorKind.POLICY);
                assertThat(r.error().message()).contains("127.0.0.1");
            }
        }
        assertThat(server.queries()).hasSize(before); // nothing was sent
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
