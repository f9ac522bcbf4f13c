package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ConfigProblem;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A {@code host:port} target as users write it: a host name or IPv4 address and a port, or an IPv6 address in
 * brackets, {@code [::1]:443}. Parsing is strict on purpose: anything odd is refused here, with a reason, rather
 * than handed to a resolver that might read it differently. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class HostPort {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");
    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}\\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
                    + "(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(.*\\.)?\\d+\\.?");

    private final String host;
    private final int port;

    private HostPort(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * Parses {@code host:port} or {@code [IPv6 address]:port}.
     *
     * @throws IllegalArgumentException if the target is not of that form or the port is not 1-65535; the message
     *                                  says what was expected, fit to report as a {@code target} config problem
     * @since 0.1
     */
    public static HostPort parse(String target) {
        Objects.requireNonNull(target, "target");
        String host;
        String port;
        if (target.startsWith("[")) {
            int close = target.indexOf("]:");
            host = close < 0 ? "" : target.substring(1, close);
            if (!IPV6.matcher(host).matches()) {
                throw ProblemTexts.SUPPORT.invalid("support.hostPort.ipv6", target);
            }
            port = target.substring(close + 2);
        } else {
            int colon = target.lastIndexOf(':');
            if (colon < 0 || target.indexOf(':') != colon) {
                throw ProblemTexts.SUPPORT.invalid("support.hostPort.shape", target);
            }
            host = target.substring(0, colon);
            port = target.substring(colon + 1);
            if (!NAME.matcher(host).matches()) {
                throw ProblemTexts.SUPPORT.invalid("support.hostPort.host", host);
            }
        }
        int p = PORT.matcher(port).matches() ? Integer.parseInt(port) : -1;
        if (p < 1 || p > 65535) {
            throw ProblemTexts.SUPPORT.invalid("support.hostPort.port", port);
        }
        return new HostPort(host, p);
    }

    /**
     * True if {@code host} is an IP address literal rather than a name. A literal must not be sent as a TLS server
     * name (SNI), and needs no resolution.
     *
     * @since 0.1
     */
    public static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    /**
     * The host name or address, without brackets; an IPv6 literal may carry a zone, {@code fe80::1%eth0}.
     *
     * @since 0.1
     */
    public String host() {
        return host;
    }

    /**
     * The port, 1-65535.
     *
     * @since 0.1
     */
    public int port() {
        return port;
    }

    /**
     * True if the host is an IP address literal; see {@link #isLiteral(String)}.
     *
     * @since 0.1
     */
    public boolean isLiteral() {
        return isLiteral(host);
    }

    /** @since 0.1 */
    @Override
    public boolean equals(Object o) {
        return o instanceof HostPort h && port == h.port && host.equals(h.host);
    }

    /** @since 0.1 */
    @Override
    public int hashCode() {
        return Objects.hash(host, port);
    }

    /**
     * The target in the form {@link #parse(String)} reads: {@code host:port}, or {@code [address]:port} for IPv6.
     *
     * @since 0.1
     */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The host to resolve, or null if the target is not a plain host name or IP literal. A name whose last label
     * is numeric must be a dotted-quad IPv4 address: resolvers read forms like {@code 127.1} or {@code 0x7f.1}
     * differently, so they are refused rather than guessed at. For targets without a port (ping, traceroute).
     *
     * @since 0.1
     */
    public static String bareHost(String target) {
        if (target.startsWith("[") && target.endsWith("]")) {
            String inner = target.substring(1, target.length() - 1);
            return isIpv6Literal(inner) ? inner : null;
        }
        if (target.indexOf(':') >= 0) {
            return isIpv6Literal(target) ? target : null;
        }
        if (!HOST_NAME.matcher(target).matches()) {
            return null;
        }
        return NUMERIC_LAST_LABEL.matcher(target).matches() && !DOTTED_QUAD.matcher(target).matches() ? null : target;
    }

    /**
     * {@link #bareHost(String)} for a provider's {@code create}: the host, or null after adding a problem on the
     * {@code target} field that says what a bare host is.
     *
     * @since 0.1
     */
    public static String bareHost(String target, List<ConfigProblem> problems) {
        String host = bareHost(target);
        if (host == null) {
            problems.add(ProblemTexts.SUPPORT.problem("target", "support.bareHost", target));
        }
        return host;
    }

    private static boolean isIpv6Literal(String s) {
        // only hex digits, colons and dots: getByName then parses a literal and never asks a resolver
        if (!IPV6.matcher(s).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(s) instanceof Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

}
