package dev.vantage.plugins.traceroute;

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
 * The conformance suite every plugin passes. Its engines trace from inside a namespace of their own, where
 * 127.0.0.1 answers and nftables drops echo requests to {@value #SILENT}. Needs root (namespaces, nft); skipped
 * otherwise.
 */
class TracerouteConformanceIT extends ProbeConformanceSuite {
    private static final String SILENT = "10.209.0.1";
    private static Netns ns;

    @BeforeAll
    static void createNamespace() throws Exception {
        String reason = Netns.unavailableReason("nft");
        Assumptions.assumeTrue(reason == null, () -> "skipping the traceroute conformance suite: " + reason);
        ns = Netns.create("vtt-conf");
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
        return new TracerouteProbeProvider();
    }

    /** The suite's engines, with the provider's IPv4 socket opened inside the namespace. */
    @Override
    protected ProbeEngine newEngine(AddressPolicy policy) {
        TracerouteProbeProvider provider = new TracerouteProbeProvider();
        try {
            InNetns.call(ns.name(), () -> provider.channel(Mode.ICMP, false));
        } catch (Exception e) {
            throw new IllegalStateException("cannot open a traceroute socket inside " + ns.name(), e);
        }
        return TestEngines.engine(provider, policy);
    }

    @Override
    protected Map<String, Object> params() {
        // one probe per hop: a trace to 127.0.0.1 is then a single echo
        return Map.of("probesPerHop", 1);
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
