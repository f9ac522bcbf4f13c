package dev.vantage.plugins.http;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.ProblemTexts;
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
    /** The problem messages of this plugin (problems.properties, translations beside it). */
    static final ProblemTexts TEXTS = ProblemTexts.load(HttpSettings.class::getResourceAsStream, "problems");

    /** What the probe asks for; over TLS it is offered through ALPN, over cleartext HTTP/2 is prior knowledge. */
    enum HttpVersion { AUTO, HTTP1, HTTP2 }

    static HttpSettings from(ProbeConfig config) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        URI target = parseTarget(config.target(), problems);

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (config.has("headers")) {
            for (Map.Entry<String, String> h : config.stringMap("headers").entrySet()) {
                if (!isToken(h.getKey())) {
                    problems.add(TEXTS.problem("headers", "http.header.name", h.getKey()));
                } else if (h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                    problems.add(TEXTS.problem("headers", "http.header.lineBreak", h.getKey()));
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
            problems.add(TEXTS.problem("bearerToken", "http.bearerAndBasic"));
        } else if (password != null && user == null) {
            problems.add(TEXTS.problem("basicAuthPassword", "http.passwordNeedsUser"));
        } else if (user != null && user.indexOf(':') >= 0) {
            problems.add(TEXTS.problem("basicAuthUser", "http.userColon"));
        } else if (user != null) {
            String pair = user + ":" + (password == null ? "" : password);
            authorization = "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        } else if (token != null) {
            authorization = "Bearer " + token;
        }

        StatusRanges validStatus = null;
        validStatus = ConfigProblem.check("validStatus", () -> StatusRanges.parse(config.string("validStatus")), problems);

        TlsContexts tls = null;
        String caCert = optional(config, "caCert");
        if (caCert != null) {
            try {
                tls = TlsContexts.trusting(caCert);
            } catch (GeneralSecurityException | RuntimeException e) {
                problems.add(TEXTS.problem("caCert", "http.caCert", e.getMessage()));
            }
        }

        String sni = optional(config, "sni");
        if (sni != null && !sni.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            problems.add(TEXTS.problem("sni", "http.sni", sni));
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
            problems.add(TEXTS.problem("target", "http.url", e.getMessage()));
            return null;
        }
        ConfigProblem problem = checkUrl(uri);
        if (problem != null) {
            problems.add(problem);
            return null;
        }
        return uri;
    }

    /** Why a URL cannot be probed (also applied to redirect locations), as a {@code target} problem; {@code null} if it can. */
    static ConfigProblem checkUrl(URI uri) {
        if (uri.getRawUserInfo() != null) { // checked first: the messages below quote the URL
            return TEXTS.problem("target", "http.url.credentials");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            return TEXTS.problem("target", "http.url.scheme", uri);
        }
        if (uri.getHost() == null) {
            return TEXTS.problem("target", "http.url.host", uri);
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            return TEXTS.problem("target", "http.url.port", uri.getPort());
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
