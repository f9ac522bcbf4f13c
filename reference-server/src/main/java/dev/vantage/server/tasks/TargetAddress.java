package dev.vantage.server.tasks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The address a task's target names literally, when it does: an IPv4 address in plain dotted decimal or an IPv6
 * address, with the port if the target has one ({@code 0} when not). A host name, {@code localhost} included, is the
 * agents' to resolve, where they are; the server never resolves it (its answer could differ, and asking would leak
 * the name). Forms the JDK reads differently from other tools ({@code 0177.0.0.1}) are not literals here.
 */
final class TargetAddress {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^]]+]|[^:/\\[\\]]+):(\\d{1,5})");

    private TargetAddress() {
    }

    static Optional<InetSocketAddress> of(String target) {
        String host;
        int port = 0;
        if (target.contains("://")) {
            try {
                URI uri = URI.create(target);
                host = uri.getHost();
                port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443
                        : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 0;
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // the plugin reports a malformed target
            }
        } else {
            var m = HOST_PORT.matcher(target);
            if (m.matches()) {
                host = m.group(1);
                port = Integer.parseInt(m.group(2));
            } else {
                host = target;
            }
        }
        if (host == null || port > 65535) {
            return Optional.empty();
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            if (IPV4.matcher(host).matches() || host.contains(":")) {
                return Optional.of(new InetSocketAddress(InetAddress.ofLiteral(host), port));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
