package dev.vantage.probe.engine;

import dev.vantage.probe.engine.internal.Cidr;
import dev.vantage.probe.engine.internal.EngineTexts;
import dev.vantage.probe.spi.ConfigProblem;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses and ports probes may contact. Probes check every address immediately before they connect
 * (through {@link dev.vantage.probe.spi.ProbeContext#checkAddress}), so the decision is made on the resolved
 * address, for every plugin alike.
 *
 * <p>Rules: an address matching a denied range is refused; otherwise, if any allowed range is given, the address must
 * match one. A port in the denied ports is refused; otherwise, if allowed ports are given, the port must be one of
 * them (port 0 means "no port", as for ICMP, and is only checked against denied ports). IPv4-mapped IPv6 addresses
 * ({@code ::ffff:a.b.c.d}) are checked as the IPv4 address they carry.
 */
public final class AddressPolicy {
    private static final AddressPolicy ALLOW_ALL = new Builder().build();

    private final List<Cidr> allowed;
    private final List<Cidr> denied;
    private final List<int[]> allowedPorts;
    private final List<PortRule> deniedPorts;

    private AddressPolicy(Builder b) {
        this.allowed = List.copyOf(b.allowed);
        this.denied = List.copyOf(b.denied);
        this.allowedPorts = List.copyOf(b.allowedPorts);
        this.deniedPorts = List.copyOf(b.deniedPorts);
    }

    /** A policy that refuses nothing: the engine's default, fit for a command line tool run by its owner. */
    public static AddressPolicy allowAll() {
        return ALLOW_ALL;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * True if {@code host} (without brackets or port) is a numeric form that tools read differently: leading zeros
     * ({@code 0177.0.0.1}, which the JDK reads as the public 177.0.0.1 and curl as 127.0.0.1), fewer than four parts
     * ({@code 127.1}), hex ({@code 0x7f.1}) or one big number; also an IPv6 literal whose IPv4 part is such a form
     * ({@code ::ffff:0177.0.0.1}). The engine refuses such targets when it validates a
     * task and when a probe resolves a host (redirects included); the CIDRs of a policy refuse them too.
     *
     * @since 0.1
     */
    public static boolean isAmbiguousHost(String host) {
        return Cidr.ambiguousHost(host);
    }

    /** The reason {@code address} is refused, or empty if it may be contacted. */
    public Optional<String> check(InetSocketAddress address) {
        return refusal(address).map(ConfigProblem::reason);
    }

    /**
     * Why {@code address} is refused, as a problem of the {@code target} with a message code (so
     * {@link ProbeEngine#reason} tells it in other languages), or empty if it may be contacted.
     *
     * @since 0.1
     */
    public Optional<ConfigProblem> refusal(InetSocketAddress address) {
        InetAddress ip = unmap(address.getAddress());
        if (ip == null) {
            return refused("engine.policy.unresolved", address.getHostString());
        }
        int port = address.getPort();
        for (Cidr c : denied) {
            if (c.contains(ip)) {
                return refused("engine.policy.deniedRange", ip.getHostAddress(), c);
            }
        }
        if (!allowed.isEmpty() && allowed.stream().noneMatch(c -> c.contains(ip))) {
            return refused("engine.policy.notAllowed", ip.getHostAddress(), allowed);
        }
        for (PortRule r : deniedPorts) {
            if (port >= r.from() && port <= r.to() && (r.range() == null || r.range().contains(ip))) {
                return r.range() == null ? refused("engine.policy.deniedPort", port)
                        : refused("engine.policy.deniedPortOn", port, r.range());
            }
        }
        if (port != 0 && !allowedPorts.isEmpty() && allowedPorts.stream().noneMatch(r -> port >= r[0] && port <= r[1])) {
            return refused("engine.policy.portNotAllowed", port);
        }
        return Optional.empty();
    }

    private static Optional<ConfigProblem> refused(String code, Object... args) {
        return Optional.of(EngineTexts.problem("target", code, args));
    }

    private static InetAddress unmap(InetAddress ip) {
        if (ip == null) {
            return null;
        }
        byte[] b = ip.getAddress();
        if (b.length == 16) {
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e); // cannot happen for 4 bytes
                }
            }
        }
        return ip;
    }

    @Override
    public String toString() {
        return "AddressPolicy{allowed=" + allowed + ", denied=" + denied + "}";
    }

    /** Builds an {@link AddressPolicy}. */
    public static final class Builder {
        private final List<Cidr> allowed = new ArrayList<>();
        private final List<Cidr> denied = new ArrayList<>();
        private final List<int[]> allowedPorts = new ArrayList<>();
        private final List<PortRule> deniedPorts = new ArrayList<>();

        private Builder() {
        }

        /** Allows a range in CIDR form ({@code 10.0.0.0/8}, {@code ::1/128}) or a single address. */
        public Builder allow(String cidr) {
            allowed.add(Cidr.parse(cidr));
            return this;
        }

        /** Denies a range in CIDR form or a single address; denials win over allowances. */
        public Builder deny(String cidr) {
            denied.add(Cidr.parse(cidr));
            return this;
        }

        /** Allows ports {@code from..to} inclusive. */
        public Builder allowPorts(int from, int to) {
            allowedPorts.add(ports(from, to));
            return this;
        }

        /** Denies ports {@code from..to} inclusive. */
        public Builder denyPorts(int from, int to) {
            int[] r = ports(from, to);
            deniedPorts.add(new PortRule(null, r[0], r[1]));
            return this;
        }

        /**
         * Denies ports {@code from..to} inclusive on the addresses of one range only, e.g. a server's own service
         * ports on loopback, while the rest of that range and those ports elsewhere stay allowed.
         *
         * @since 0.1.0
         */
        public Builder denyPorts(String cidr, int from, int to) {
            int[] r = ports(from, to);
            deniedPorts.add(new PortRule(Cidr.parse(cidr), r[0], r[1]));
            return this;
        }

        private static int[] ports(int from, int to) {
            if (from < 0 || to > 65535 || from > to) {
                throw new IllegalArgumentException("port range " + from + ".." + to + " is not within 0..65535");
            }
            return new int[] {from, to};
        }

        public AddressPolicy build() {
            return new AddressPolicy(this);
        }
    }

    /** Denied ports, on every address ({@code range} null) or on one range. */
    private record PortRule(Cidr range, int from, int to) {
    }
}
