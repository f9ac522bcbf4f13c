package dev.vantage.probe.engine.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/** An address range: network bytes and prefix length. Used by the address policy and the {@code within_cidr} op. */
public final class Cidr {
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses {@code address/prefix}, or a bare address (a single host).
     *
     * @throws IllegalArgumentException if it is not a literal address range
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "cidr");
        String s = text.trim();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        // only literal addresses: a range must never trigger a DNS lookup; and IPv4 only as a plain dotted quad, or
        // 0177.0.0.0/8 would be the JDK's 177.0.0.0/8 while its author meant loopback
        if (host.isEmpty() || !(host.indexOf(':') >= 0 ? plainIpv6(host) : DOTTED_QUAD.matcher(host).matches())) {
            throw EngineTexts.invalid("engine.cidr", text);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw EngineTexts.invalid("engine.cidr", text);
        }
        int max = bytes.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw EngineTexts.invalid("engine.cidr.prefix", text);
        }
        if (prefix < 0 || prefix > max) {
            throw EngineTexts.invalid("engine.cidr.prefixRange", text, max);
        }
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        return new Cidr(bytes, prefix, s);
    }

    /** A host's last label that URL parsers (WHATWG, curl, browsers) read as a number: decimal, octal or hex. */
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(?s)(.*\\.)?(\\d+|0[xX][0-9a-fA-F]*)\\.?");

    /**
     * True if {@code host} would be read as an IPv4 address by some parser but is not a plain dotted quad:
     * {@code 0177.0.0.1} (the JDK: 177.0.0.1; curl: 127.0.0.1), {@code 127.1}, {@code 0x7f.1}, {@code 2130706433},
     * {@code 127.0.0.1.}. Such hosts are refused everywhere rather than guessed at. An IPv6 literal is ambiguous when
     * it ends in such an IPv4 part ({@code ::ffff:0177.0.0.1}: the JDK reads the public 177.0.0.1 again).
     */
    public static boolean ambiguousHost(String host) {
        if (host.indexOf(':') >= 0) {
            return !plainIpv6(host);
        }
        return NUMERIC_LAST_LABEL.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches();
    }

    /**
     * True unless an IPv6 text ends in an IPv4 part (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
     * {@code ::a.b.c.d}) that is not a plain dotted quad. Brackets and a zone ({@code %eth0}) are ignored.
     */
    private static boolean plainIpv6(String host) {
        String s = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int zone = s.indexOf('%');
        String address = zone >= 0 ? s.substring(0, zone) : s;
        String last = address.substring(address.lastIndexOf(':') + 1);
        return last.indexOf('.') < 0 || DOTTED_QUAD.matcher(last).matches();
    }

    /**
     * The address a text spells, or {@code null} if it is not an IP address literal: a dotted quad in decimal
     * without leading zeros (so that {@code 0177.0.0.1} is no address rather than 177.0.0.1), or an IPv6 address
     * without a zone (the JDK reads an IPv4-mapped one as the IPv4 address). Never looks anything up.
     */
    public static InetAddress literal(String text) {
        String s = text.trim();
        if (!DOTTED_QUAD.matcher(s).matches()
                && (s.indexOf(':') < 0 || s.indexOf('%') >= 0 || s.indexOf('/') >= 0 || !plainIpv6(s))) {
            return null;
        }
        try {
            return InetAddress.getByName(s.startsWith("[") ? s : s.indexOf(':') >= 0 ? "[" + s + "]" : s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (b.length != network.length) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            int mask = (0xff << (8 - keep)) & 0xff;
            if ((b[i] & mask) != (network[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
