package dev.vantage.plugins.dns;

import dev.vantage.probe.plugin.support.HostPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Where a query goes: a resolver's host and port, and for DNS over HTTPS the URL's path and query and its
 * authority (the {@code Host} header). Parsed strictly from the {@code resolver} parameter, so that nothing odd is
 * handed to a resolver that might read it differently.
 *
 * @param host      a host name or an IP literal (IPv6 without brackets)
 * @param port      1-65535
 * @param path      DoH only: the request's path and query, e.g. {@code /dns-query}; {@code null} otherwise
 * @param authority DoH only: the URL's host and port as written, for the {@code Host} header
 */
record Endpoint(String host, int port, String path, String authority) {
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern DOTTED_QUAD =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    /**
     * A resolver written {@code host}, {@code host:port}, {@code [IPv6]:port} or a bare IPv6 address.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Endpoint hostPort(String text, int defaultPort) {
        String s = text.trim();
        HostPort hp;
        if (s.startsWith("[") || s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') >= 0) {
            hp = HostPort.parse(s);
        } else {
            hp = HostPort.parse((s.indexOf(':') >= 0 ? "[" + s + "]" : s) + ":" + defaultPort);
        }
        checkHost(hp.host());
        return new Endpoint(hp.host(), hp.port(), null, null);
    }

    /**
     * A DoH resolver: an {@code https} URL without credentials; an empty path means {@code /dns-query}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Endpoint url(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw DnsProbeProvider.TEXTS.invalid("dns.url", text, e.getReason());
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw DnsProbeProvider.TEXTS.invalid("dns.dohUrl", text);
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw DnsProbeProvider.TEXTS.invalid("dns.dohCredentials");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        checkHost(host);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/dns-query" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        return new Endpoint(host, uri.getPort() < 0 ? 443 : uri.getPort(), path, uri.getRawAuthority());
    }

    /** Refuses numeric forms that are not a plain dotted quad: the JDK reads 0177.0.0.1 as 177.0.0.1. */
    private static void checkHost(String host) {
        if (DIGITS_AND_DOTS.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches()) {
            throw DnsProbeProvider.TEXTS.invalid("dns.ambiguous", host);
        }
    }

    /** True if the host is an IP literal (no name to resolve, no SNI to send). */
    boolean literal() {
        return HostPort.isLiteral(host);
    }

    @Override
    public String toString() {
        return path != null ? "https://" + authority + path : (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
