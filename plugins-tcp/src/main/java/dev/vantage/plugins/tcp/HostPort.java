package dev.vantage.plugins.tcp;

import java.util.regex.Pattern;

/** A {@code host:port} target; an IPv6 literal is written in brackets, {@code [::1]:443}. */
record HostPort(String host, int port) {
    // Names and IPv4 literals; anything odd is refused here rather than handed to a resolver.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9._-]*)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");
    private static final Pattern IPV4 = Pattern.compile("[0-9.]+");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /** @throws IllegalArgumentException with a reason a user can act on */
    static HostPort parse(String target) {
        String host;
        String port;
        if (target.startsWith("[")) {
            int close = target.indexOf("]:");
            host = close < 0 ? "" : target.substring(1, close);
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException("expected [IPv6 address]:port, got '" + target + "'");
            }
            port = target.substring(close + 2);
        } else {
            int colon = target.lastIndexOf(':');
            if (colon < 0 || target.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected host:port (an IPv6 address in brackets, [::1]:443), got '"
                        + target + "'");
            }
            host = target.substring(0, colon);
            port = target.substring(colon + 1);
            if (!NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
            }
        }
        int p = PORT.matcher(port).matches() ? Integer.parseInt(port) : -1;
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, got '" + port + "'");
        }
        return new HostPort(host, p);
    }

    /** True for an IP address literal, which must not be sent as a TLS server name. */
    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }
}
