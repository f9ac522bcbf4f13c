package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.InNetns;
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.Netns;
import dev.vantage.probe.testkit.ProbeConformanceSuite;
import dev.vantage.probe.testkit.TestEngines;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite every plugin passes. Its engines ping from inside a namespace of their own, where
 * 127.0.0.1 answers and nftables drops echo requests to {@value #SILENT}. Needs root (namespaces, nft); skipped
 * otherwise.
 */
class IcmpConformanceIT extends ProbeConformanceSuite {
    private static final String SILENT = "10.209.0.1";
    private static Netns ns;

    @BeforeAll
    static void createNamespace() throws Exception {
        String reason = Netns.unavailableReason("nft");
        Assumptions.assumeTrue(reason == null, () -> "skipping the ICMP conformance suite: " + reason);
        ns = Netns.create("vti-conf");
        try {
            ns.exec("ip", "addr", "add", SILENT + "/32", "dev", "lo");
            ns.exec("nft", "add", "table", "inet", "silent");
            ns.exec("nft", "add", "chain", "inet", "silent", "in", "{ type filter hook input priority 0; }");
            ns.exec("nft", "add", "rule", "inet", "silent", "in", "ip", "daddr", SILENT,
                    "icmp", "type", "echo-request", "drop");
        } catch (Exception e) {
            deleteNamespace();
            throw e;
        }
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        if (ns != null) {
            ns.close();
            ns = null;
        }
    }

    @Override
    protected ProbeProvider provider() {
        return new IcmpProbeProvider();
    }

    /** The suite's engines, with the provider's IPv4 socket opened inside the namespace. */
    @Override
    protected ProbeEngine newEngine(AddressPolicy policy) {
        IcmpProbeProvider provider = new IcmpProbeProvider();
        try {
            InNetns.call(ns.name(), () -> provider.channel(false, 64));
        } catch (Exception e) {
            throw new IllegalStateException("cannot open an ICMP socket inside " + ns.name(), e);
        }
        return TestEngines.engine(provider, policy);
    }

    @Override
    protected Map<String, Object> params() {
        // the suite's 400 ms timeout must hold (count - 1) × interval
        return Map.of("interval", "10ms");
    }

    @Override
    protected String reachableTarget() {
        return "127.0.0.1";
    }

    @Override
    protected String targetFor(String host) {
        return host;
    }

    @Override
    protected String closedTarget() {
        return null; // ICMP has no ports
    }

    @Override
    protected String silentTarget() {
        return SILENT;
    }

    @Override
    protected String malformedTarget() {
        return "127.0.0.1:80";
    }
}
