package dev.vantage.server.security;

import dev.vantage.probe.engine.AddressPolicy;
import java.util.List;

/**
 * Address ranges the server refuses to let anything it controls connect to (agents' probes, notification channels),
 * so that Vantage cannot be turned into an SSRF tool: defined once, used by agent policies and outbound channels.
 */
public final class AddressRanges {
    /** Always refused: link-local (which holds most cloud metadata services) and the other metadata addresses. */
    public static final List<String> ALWAYS_DENIED = List.of(
            "169.254.0.0/16", "fe80::/10",      // link-local, incl. 169.254.169.254 (AWS, GCP, Azure, ...)
            "100.100.100.200/32",              // Alibaba Cloud metadata
            "fd00:ec2::254/128",               // AWS metadata over IPv6
            "0.0.0.0/8", "::/128",             // "this host": connects to the machine itself
            "224.0.0.0/4", "ff00::/8");        // multicast
    public static final List<String> LOOPBACK = List.of("127.0.0.0/8", "::1/128");
    public static final List<String> PRIVATE = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
            "fc00::/7");

    private AddressRanges() {
    }

    /** Where the server itself may connect out to (notification channels): public addresses, plus what is allowed. */
    public static AddressPolicy outbound(boolean allowLoopback, boolean allowPrivate) {
        AddressPolicy.Builder b = AddressPolicy.builder();
        ALWAYS_DENIED.forEach(b::deny);
        if (!allowLoopback) {
            LOOPBACK.forEach(b::deny);
        }
        if (!allowPrivate) {
            PRIVATE.forEach(b::deny);
        }
        return b.build();
    }
}
