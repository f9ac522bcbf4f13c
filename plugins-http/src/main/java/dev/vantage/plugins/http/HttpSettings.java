package dev.vantage.plugins.http;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.plugin.support.IpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A probe's configuration, checked and converted once at creation so that an attempt does no parsing.
 *
 * @param authorization the ready {@code Authorization} header value, or {@code null}; a secret
 * @param tls           contexts trusting {@code caCert}, or {@code null} to use the provider's system-trust ones
 */
record HttpSettings(
        URI target,
        String method,
        List<Map.Entry<String, String>> headers,
        byte[] body,
        String authorization,
        boolean followRedirects,
        int maxRedirects,
        boolean verifyTls,
        HttpVersion httpVersion,
        IpVersion ipVersion,
        long maxBodyBytes,
        boolean keepBody,
        String sni,
        StatusRanges validStatus,
        TlsContexts tls) {

    /** What the probe asks for; over TLS it is offered through ALPN, over cleartext HTTP/2 is prior knowledge. */
    enum HttpVersion { AUTO, HTTP1, HTTP2 }

    static HttpSettings from(ProbeConfig config) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        URI target = parseTarget(config.target(), problems);

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (config.has("headers")) {
            for (Map.Entry<String, String> h : config.stringMap("headers").entrySet()) {
                if (!isToken(h.getKey())) {
                    problems.add(ConfigProblem.of("headers", "'" + h.getKey() + "' is not a valid header name"));
                } else if (h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                    problems.add(ConfigProblem.of("headers", "the value of '" + h.getKey() + "' contains a line break"));
                } else {
                    headers.add(Map.entry(h.getKey(), h.getValue()));
                }
            }
        }

        String authorization = null;
        String user = optional(config, "basicAuthUser");
        String password = optional(config, "basicAuthPassword");
        String token = optional(config, "bearerToken");
        if (user != null && token != null) {
            problems.add(ConfigProblem.of("bearerToken", "cannot be combined with basicAuthUser"));
        } else if (password != null && user == null) {
            problems.add(ConfigProblem.of("basicAuthPassword", "needs basicAuthUser"));
        } else if (user != null && user.indexOf(':') >= 0) {
            problems.add(ConfigProblem.of("basicAuthUser", "must not contain ':'"));
        } else if (user != null) {
            String pair = user + ":" + (password == null ? "" : password);
            authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        } else if (token != null) {
            authorization = "Bearer " + token;
        }

        StatusRanges validStatus = null;
        try {
            validStatus = StatusRanges.parse(config.string("validStatus"));
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.of("validStatus", e.getMessage()));
        }

        TlsContexts tls = null;
        String caCert = optional(config, "caCert");
        if (caCert != null) {
            try {
                tls = TlsContexts.trusting(caCert);
            } catch (GeneralSecurityException | RuntimeException e) {
                problems.add(ConfigProblem.of("caCert", "is not a PEM X.509 certificate: " + e.getMessage()));
            }
        }

        String sni = optional(config, "sni");
        if (sni != null && !sni.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            problems.add(ConfigProblem.of("sni", "'" + sni + "' is not a host name"));
        }

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        String body = optional(config, "body");
        return new HttpSettings(
                target,
                config.string("method"),
                List.copyOf(headers),
                body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                authorization,
                config.bool("followRedirects"),
                (int) config.integer("maxRedirects"),
                config.bool("verifyTls"),
                HttpVersion.valueOf(config.string("httpVersion").toUpperCase(Locale.ROOT)),
                IpVersion.of(config.string(IpVersion.PARAMETER)),
                config.integer("maxBodyBytes"),
                config.bool("keepBody"),
                sni,
                validStatus,
                tls);
    }

    /**
     * Checks an absolute http(s) URL with the JDK's parser, the one whose host the probe will resolve: a string
     * another parser would read differently never reaches the network.
     */
    static URI parseTarget(String text, List<ConfigProblem> problems) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            problems.add(ConfigProblem.of("target", "is not a URL: " + e.getMessage()));
            return null;
        }
        String problem = checkUrl(uri);
        if (problem != null) {
            problems.add(ConfigProblem.of("target", problem));
            return null;
        }
        return uri;
    }

    /** Why a URL cannot be probed (also applied to redirect locations), or {@code null} if it can. */
    static String checkUrl(URI uri) {
        if (uri.getRawUserInfo() != null) { // checked first: the messages below quote the URL
            return "credentials in the URL are not allowed; use basicAuthUser and basicAuthPassword";
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            return "'" + uri + "' is not an absolute http or https URL";
        }
        if (uri.getHost() == null) {
            return "'" + uri + "' has no host that can be parsed";
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            return "port " + uri.getPort() + " is out of range";
        }
        return null;
    }

    private static String optional(ProbeConfig config, String name) {
        return config.has(name) ? config.string(name) : null;
    }

    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 126 || c <= 32 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        // the record's generated toString would print the Authorization value
        return "HttpSettings{" + method + " " + target + " httpVersion=" + httpVersion + "}";
    }
}
