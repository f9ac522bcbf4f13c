package dev.vantage.plugins.dns;

import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.ProbeConformanceSuite;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite, with the resolver fixed to the test's own server: the "target" of a DNS task is the name
 * asked. The server answers www.example.test, says NXDOMAIN for no-such-host.invalid (the suite's unresolvable
 * name), answers REFUSED for refused.test (the DNS form of a closed port; a real closed port is in DnsProbeIT), and
 * never answers anything under silent.example.test. Denying loopback refuses the resolver's address.
 */
class DnsConformanceIT extends ProbeConformanceSuite {
    private static TestDnsServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestDnsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected ProbeProvider provider() {
        return new DnsProbeProvider();
    }

    @Override
    protected Map<String, Object> params() {
        return Map.of("resolver", server.address());
    }

    @Override
    protected String reachableTarget() {
        return "www.example.test";
    }

    @Override
    protected String targetFor(String host) {
        return host;
    }

    @Override
    protected String closedTarget() {
        return "refused.test";
    }

    @Override
    protected String silentTarget() {
        return "silent.example.test";
    }

    @Override
    protected String malformedTarget() {
        return "bad..name";
    }
}
