package dev.vantage.probe.testkit;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.spi.ProbeProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * The conformance suite for probes that send ICMP echo requests (ping, traceroute). Their engines work inside a
 * namespace of the suite's own, where 127.0.0.1 answers and nftables drops echo requests to {@value #SILENT}; ICMP
 * has no ports, so there is no closed target. Needs root (namespaces, nft); skipped otherwise.
 *
 * <p>A subclass names its provider and opens the provider's socket inside the namespace in
 * {@link #providerInside(String)}, so that every probe of the suite leaves from there.
 */
public abstract class IcmpEchoConformanceSuite extends ProbeConformanceSuite {
    /** The address in the namespace that never answers an echo request. */
    protected static final String SILENT = "10.209.0.1";
    private static Netns ns;

    @BeforeAll
    static void createNamespace(TestInfo info) throws Exception {
        String reason = Netns.unavailableReason("nft");
        Assumptions.assumeTrue(reason == null, () -> "skipping " + info.getDisplayName() + ": " + reason);
        ns = Netns.create("vt-echo");
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

    /**
     * A new provider whose IPv4 socket is already open inside {@code namespace} (e.g. through
     * {@code InNetns.call(namespace, ...)} from probe-plugin-linux); the suite's engines use it.
     */
    protected abstract ProbeProvider providerInside(String namespace) throws Exception;

    /** The suite's engines, with the provider's socket opened inside the namespace. */
    @Override
    protected ProbeEngine newEngine(AddressPolicy policy) {
        ProbeProvider provider;
        try {
            provider = providerInside(ns.name());
        } catch (Exception e) {
            throw new IllegalStateException("cannot open an ICMP socket inside " + ns.name(), e);
        }
        return TestEngines.engine(provider, policy);
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
