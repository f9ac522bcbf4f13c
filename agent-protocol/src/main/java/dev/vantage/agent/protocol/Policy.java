package dev.vantage.agent.protocol;

import dev.vantage.probe.engine.AddressPolicy;
import java.util.List;

/**
 * An agent's address policy as the server sends it: an address in a {@code deny} range is refused; otherwise, if
 * {@code allow} is not empty, it must be inside one of its ranges; a port in a {@code denyPorts} range is refused
 * (on every address, or only on that entry's own address range).
 */
public record Policy(List<String> allow, List<String> deny, List<PortRange> denyPorts) {

    public Policy {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        denyPorts = List.copyOf(denyPorts);
    }

    /** Ports {@code from..to} inclusive, on the addresses of {@code range} (CIDR) or, when it is null, everywhere. */
    public record PortRange(String range, int from, int to) {
        public PortRange(int from, int to) {
            this(null, from, to);
        }
    }

    /**
     * The engine policy this describes.
     *
     * @throws IllegalArgumentException naming the bad range
     */
    public AddressPolicy toAddressPolicy() {
        AddressPolicy.Builder b = AddressPolicy.builder();
        allow.forEach(b::allow);
        deny.forEach(b::deny);
        denyPorts.forEach(r -> {
            if (r.range() == null) {
                b.denyPorts(r.from(), r.to());
            } else {
                b.denyPorts(r.range(), r.from(), r.to());
            }
        });
        return b.build();
    }
}
