package dev.vantage.server.agents.store;

import dev.vantage.agent.protocol.Policy;
import dev.vantage.server.security.AddressRanges;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an agent may send probes, as an admin sets it. A probing platform must not become an SSRF tool, so the
 * effective policy always refuses link-local and cloud-metadata addresses and the server's own addresses and ports,
 * and refuses loopback and private ranges unless this policy allows them (private agents exist to probe private
 * networks, so that is one switch). The agent applies the effective policy to every resolved address it is about
 * to contact, each HTTP redirect hop included.
 *
 * @param allowLoopback allow 127.0.0.0/8 and ::1 (the built-in local agent does)
 * @param allowPrivate  allow RFC 1918, carrier-grade NAT and unique-local IPv6 ranges
 * @param allow         if not empty, only these ranges (CIDR) may be probed
 * @param deny          further ranges to refuse
 * @param denyPorts     further ports to refuse
 */
public record AgentPolicy(boolean allowLoopback, boolean allowPrivate, List<String> allow, List<String> deny,
                          List<Policy.PortRange> denyPorts) {

    /** The default for a new agent: public addresses only. */
    public static final AgentPolicy PUBLIC_ONLY = new AgentPolicy(false, false, List.of(), List.of(), List.of());

    public AgentPolicy {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        denyPorts = List.copyOf(denyPorts);
    }

    /**
     * The policy sent to the agent: this one plus the ranges that are always refused, and the server's own
     * addresses and service ports.
     */
    public Policy effective(List<String> serverAddresses, List<Integer> serverPorts) {
        List<String> denied = new ArrayList<>(AddressRanges.ALWAYS_DENIED);
        if (!allowLoopback) {
            denied.addAll(AddressRanges.LOOPBACK);
        }
        if (!allowPrivate) {
            denied.addAll(AddressRanges.PRIVATE);
        }
        denied.addAll(serverAddresses);
        denied.addAll(deny);
        List<Policy.PortRange> ports = new ArrayList<>(denyPorts);
        // the server's own service ports on loopback: an agent allowed to probe loopback must not reach the API
        serverPorts.forEach(p -> AddressRanges.LOOPBACK.forEach(range -> ports.add(new Policy.PortRange(range, p, p))));
        return new Policy(allow, denied, ports);
    }
}
