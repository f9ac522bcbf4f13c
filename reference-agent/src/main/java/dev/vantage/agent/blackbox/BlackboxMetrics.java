package dev.vantage.agent.blackbox;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one probe result as blackbox_exporter writes its {@code /probe} answer: the same metric names, labels and
 * meanings (checked against blackbox_exporter 0.23 on the same targets), in the Prometheus text format, sorted by
 * name as it sorts them. What Vantage's plugins do not measure is left out rather than made up (docs/prometheus.md).
 */
final class BlackboxMetrics {
    /** name → (help, samples: label text → value). */
    private final Map<String, Family> families = new TreeMap<>();

    private record Family(String help, Map<String, Double> samples) {
    }

    private BlackboxMetrics() {
    }

    static String format(BlackboxModule module, ProbeResult r) {
        BlackboxMetrics m = new BlackboxMetrics();
        m.common(module, r);
        switch (module.prober()) {
            case "http" -> m.http(r);
            case "tcp" -> m.tcp(module, r);
            case "icmp" -> m.icmp(r);
            case "dns" -> m.dns(r);
            default -> throw new IllegalStateException(module.prober());
        }
        return m.text();
    }

    private void common(BlackboxModule module, ProbeResult r) {
        gauge("probe_success", "Displays whether or not the probe was a success", r.status() == ProbeStatus.SUCCESS ? 1 : 0);
        gauge("probe_duration_seconds", "Returns how long the probe took to complete in seconds", seconds(r.duration()));
        // the dns plugin resolves its resolver in 'resolve' ('dns' would be mistaken for the query)
        String lookup = module.prober().equals("dns") ? "resolve" : "dns";
        gauge("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds", phase(r, lookup));
        InetAddress address = address(r);
        gauge("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6",
                address == null ? 0 : address.getAddress().length == 4 ? 4 : 6);
        if (address != null) {
            gauge("probe_ip_addr_hash", "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
                    fnv32a(address.getAddress()));
        }
    }

    private void http(ProbeResult r) {
        String help = "Duration of http request by phase, summed over all redirects";
        gauge("probe_http_duration_seconds", "phase", "resolve", help, phase(r, "dns"));
        gauge("probe_http_duration_seconds", "phase", "connect", help, phase(r, "connect"));
        gauge("probe_http_duration_seconds", "phase", "tls", help, phase(r, "tls"));
        // blackbox_exporter's 'processing' runs from the connection (or handshake) to the first response byte
        gauge("probe_http_duration_seconds", "phase", "processing", help, phase(r, "write") + phase(r, "ttfb"));
        gauge("probe_http_duration_seconds", "phase", "transfer", help, phase(r, "transfer"));
        Double status = r.measurements().get("httpStatus");
        gauge("probe_http_status_code", "Response HTTP status code", status == null ? 0 : status);
        gauge("probe_http_redirects", "The number of redirects", r.measurements().getOrDefault("redirects", 0.0));
        boolean tls = r.attributes().containsKey("tlsVersion")
                && r.attributes().getOrDefault("finalUrl", "").toLowerCase(Locale.ROOT).startsWith("https:");
        gauge("probe_http_ssl", "Indicates if SSL was used for the final redirect", tls ? 1 : 0);
        String length = r.attributes().get("header.content-length");
        gauge("probe_http_content_length", "Length of http content response",
                status == null ? 0 : length == null ? -1 : parse(length, -1));
        gauge("probe_http_uncompressed_body_length", "Length of uncompressed response body",
                r.measurements().getOrDefault("bodyBytes", 0.0));
        gauge("probe_http_version", "Returns the version of HTTP of the probe response", httpVersion(r));
        gauge("probe_failed_due_to_regex", "Indicates if probe failed due to regex", 0);
        tlsFacts(r);
    }

    private void tcp(BlackboxModule module, ProbeResult r) {
        boolean regex = module.params().containsKey("expect") && r.status() != ProbeStatus.SUCCESS
                && r.error() != null && r.error().message().contains("expect");
        gauge("probe_failed_due_to_regex", "Indicates if probe failed due to regex", regex ? 1 : 0);
        tlsFacts(r);
    }

    private void icmp(ProbeResult r) {
        String help = "Duration of icmp request by phase";
        double resolve = phase(r, "dns");
        List<Double> rtts = r.samples().getOrDefault("rttMs", List.of());
        double rtt = rtts.isEmpty() || rtts.getFirst() == null || rtts.getFirst().isNaN() ? 0 : rtts.getFirst() / 1000;
        gauge("probe_icmp_duration_seconds", "phase", "resolve", help, resolve);
        // the rest of the attempt: opening the socket and building the request, as blackbox_exporter's 'setup'
        gauge("probe_icmp_duration_seconds", "phase", "setup", help,
                r.status() == ProbeStatus.SUCCESS ? Math.max(0, seconds(r.duration()) - resolve - rtt) : 0);
        gauge("probe_icmp_duration_seconds", "phase", "rtt", help, rtt);
    }

    private void dns(ProbeResult r) {
        String help = "Duration of DNS request by phase";
        gauge("probe_dns_duration_seconds", "phase", "resolve", help, phase(r, "resolve"));
        gauge("probe_dns_duration_seconds", "phase", "connect", help, phase(r, "connect"));
        gauge("probe_dns_duration_seconds", "phase", "request", help, phase(r, "udpQuery") + phase(r, "query"));
        boolean answered = r.attributes().containsKey("rcode");
        gauge("probe_dns_query_succeeded", "Displays whether or not the query was executed successfully", answered ? 1 : 0);
        gauge("probe_dns_answer_rrs", "Returns number of entries in the answer resource record list",
                r.measurements().getOrDefault("answerCount", 0.0));
        tlsFacts(r);
    }

    private void tlsFacts(ProbeResult r) {
        String notAfter = r.attributes().get("certNotAfter");
        if (notAfter != null) {
            try {
                gauge("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime",
                        Instant.parse(notAfter).getEpochSecond());
            } catch (DateTimeParseException e) {
                // not a date: leave the metric out rather than report a wrong one
            }
        }
        String version = r.attributes().get("tlsVersion");
        if (version != null) {
            // blackbox_exporter spells them as Go does: "TLS 1.3"
            gauge("probe_tls_version_info", "version", version.replace("TLSv", "TLS "),
                    "Returns the TLS version used or NaN when unknown", 1);
        }
    }

    private static double httpVersion(ProbeResult r) {
        return switch (r.attributes().getOrDefault("httpVersion", "")) {
            case "HTTP/1.0" -> 1.0;
            case "HTTP/1.1" -> 1.1;
            case "HTTP/2" -> 2.0;
            default -> 0;
        };
    }

    private static InetAddress address(ProbeResult r) {
        String a = r.attributes().get("remoteAddress");
        if (a == null || !(a.indexOf(':') >= 0 || a.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return null; // only IP literals: never a name lookup from here
        }
        try {
            return InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** blackbox_exporter's probe_ip_addr_hash: FNV-1a (32 bit) of the address bytes. */
    static long fnv32a(byte[] bytes) {
        int h = 0x811c9dc5;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return Integer.toUnsignedLong(h);
    }

    private static double phase(ProbeResult r, String name) {
        Duration d = r.phases().get(name);
        return d == null ? 0 : seconds(d);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static double parse(String text, double otherwise) {
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private void gauge(String name, String help, double value) {
        gauge(name, null, null, help, value);
    }

    private void gauge(String name, String label, String labelValue, String help, double value) {
        String labels = label == null ? "" : "{" + label + "=\"" + escape(labelValue) + "\"}";
        families.computeIfAbsent(name, n -> new Family(help, new TreeMap<>())).samples().put(labels, value);
    }

    private String text() {
        StringBuilder out = new StringBuilder(1024);
        families.forEach((name, f) -> {
            out.append("# HELP ").append(name).append(' ').append(f.help()).append('\n');
            out.append("# TYPE ").append(name).append(" gauge\n");
            f.samples().forEach((labels, v) -> out.append(name).append(labels).append(' ').append(number(v)).append('\n'));
        });
        return out.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
