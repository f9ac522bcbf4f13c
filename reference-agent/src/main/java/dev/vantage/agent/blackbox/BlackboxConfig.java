package dev.vantage.agent.blackbox;

import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the subset of blackbox_exporter's {@code blackbox.yml} that maps onto Vantage's plugins: the {@code http},
 * {@code tcp}, {@code icmp} and {@code dns} probers and the settings listed in docs/prometheus.md. Any other key is
 * refused by its path (e.g. {@code modules.web.http.fail_if_body_matches_regexp: not supported}), so a module never
 * silently probes something other than what its file says. Without a file, {@link #defaults()} gives
 * blackbox_exporter's example modules.
 */
public final class BlackboxConfig {
    private final Map<String, BlackboxModule> modules;

    private BlackboxConfig(Map<String, BlackboxModule> modules) {
        this.modules = Map.copyOf(modules);
    }

    /** The module of that name, or null. */
    public BlackboxModule module(String name) {
        return modules.get(name);
    }

    public Set<String> moduleNames() {
        return Set.copyOf(modules.keySet());
    }

    /** blackbox_exporter's example modules ({@code http_2xx}, {@code tcp_connect}, {@code icmp}, {@code dns_udp} ...). */
    public static BlackboxConfig defaults() {
        try (InputStream in = BlackboxConfig.class.getResourceAsStream("default-blackbox.yml")) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalArgumentException naming every unsupported or invalid key */
    public static BlackboxConfig read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException naming every unsupported or invalid key, one per line */
    public static BlackboxConfig parse(String yaml) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        Node top = Node.of("", root, problems);
        Map<String, BlackboxModule> modules = new LinkedHashMap<>();
        Node all = top.map("modules");
        if (all == null) {
            problems.add("modules: required");
        } else {
            for (String name : all.keys()) {
                BlackboxModule m = module(name, all.map(name), problems);
                if (m != null) {
                    modules.put(name, m);
                }
            }
        }
        top.rejectUnknown();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new BlackboxConfig(modules);
    }

    private static BlackboxModule module(String name, Node m, List<String> problems) {
        if (m == null) {
            return null;
        }
        String prober = m.string("prober");
        Duration timeout = m.duration("timeout");
        Map<String, Object> params = new LinkedHashMap<>();
        List<Assertion> assertions = new ArrayList<>();
        String queryName = null;
        String type = prober;
        if (prober == null) {
            problems.add(m.path("prober") + ": required (http, tcp, icmp or dns)");
        } else {
            switch (prober) {
                case "http" -> http(m.map("http"), params);
                case "tcp" -> tcp(m.map("tcp"), params, problems);
                case "icmp" -> icmp(m.map("icmp"), params);
                case "dns" -> {
                    Node d = m.map("dns");
                    if (d == null) {
                        problems.add(m.path("dns") + ".query_name: required");
                    } else {
                        queryName = dns(d, params, assertions, problems);
                    }
                }
                default -> problems.add(m.path("prober") + ": '" + prober + "' is not supported (http, tcp, icmp or dns)");
            }
        }
        for (String other : List.of("http", "tcp", "icmp", "dns")) {
            if (!other.equals(prober) && m.has(other)) {
                problems.add(m.path(other) + ": does not apply to prober " + prober);
                m.used(other);
            }
        }
        m.rejectUnknown();
        return prober == null || problems.stream().anyMatch(p -> p.startsWith(m.path("")))
                ? null : new BlackboxModule(name, prober, timeout, type, params, assertions, queryName);
    }

    private static void http(Node h, Map<String, Object> params) {
        // blackbox_exporter's default: any 2xx after following redirects (Vantage's own default also takes 3xx)
        params.put("validStatus", "2xx");
        if (h == null) {
            return;
        }
        List<Object> codes = h.list("valid_status_codes");
        if (codes != null && !codes.isEmpty()) {
            params.put("validStatus", codes.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        putIfSet(params, "method", h.string("method"));
        Node headers = h.map("headers");
        if (headers != null) {
            Map<String, Object> values = new LinkedHashMap<>();
            headers.keys().forEach(k -> values.put(k, headers.string(k)));
            params.put("headers", values);
        }
        putIfSet(params, "body", h.string("body"));
        Boolean noFollow = h.bool("no_follow_redirects");
        if (noFollow != null) {
            params.put("followRedirects", !noFollow);
        }
        Node auth = h.map("basic_auth");
        if (auth != null) {
            putIfSet(params, "basicAuthUser", auth.string("username"));
            putIfSet(params, "basicAuthPassword", auth.string("password"));
            auth.rejectUnknown();
        }
        putIfSet(params, "bearerToken", h.string("bearer_token"));
        ipProtocol(h, params);
        tls(h.map("tls_config"), params);
        h.rejectUnknown();
    }

    private static void tcp(Node t, Map<String, Object> params, List<String> problems) {
        if (t == null) {
            return;
        }
        List<Object> steps = t.list("query_response");
        if (steps != null) {
            // Vantage's tcp probe sends once, then waits for one reply: [expect], [send], [send, expect] or one
            // step holding both fit; longer dialogues do not
            String send = null;
            String expect = null;
            for (int i = 0; i < steps.size(); i++) {
                Node step = Node.of(t.path("query_response") + "[" + i + "]", steps.get(i), problems);
                String s = step.string("send");
                String e = step.string("expect");
                step.rejectUnknown();
                boolean fits = (s == null || (send == null && expect == null)) && (e == null || expect == null);
                if (!fits) {
                    problems.add(t.path("query_response") + ": only one send followed by one expect is supported");
                    break;
                }
                send = s != null ? s : send;
                expect = e != null ? e : expect;
            }
            putIfSet(params, "send", send);
            putIfSet(params, "expect", expect);
        }
        Boolean tls = t.bool("tls");
        if (tls != null) {
            params.put("tls", tls);
        }
        ipProtocol(t, params);
        tls(t.map("tls_config"), params);
        t.rejectUnknown();
    }

    private static void icmp(Node i, Map<String, Object> params) {
        params.put("count", 1); // blackbox_exporter sends one echo request per probe
        if (i == null) {
            return;
        }
        Integer ttl = i.integer("ttl");
        if (ttl != null) {
            params.put("ttl", ttl);
        }
        Integer size = i.integer("payload_size");
        if (size != null) {
            params.put("size", size);
        }
        ipProtocol(i, params);
        i.rejectUnknown();
    }

    private static String dns(Node d, Map<String, Object> params, List<Assertion> assertions, List<String> problems) {
        String name = d.string("query_name");
        if (name == null) {
            problems.add(d.path("query_name") + ": required");
        }
        putIfSet(params, "type", d.string("query_type") == null ? null : d.string("query_type").toUpperCase(Locale.ROOT));
        String transport = d.string("transport_protocol");
        if (transport != null && !transport.equals("udp") && !transport.equals("tcp")) {
            problems.add(d.path("transport_protocol") + ": must be udp or tcp");
        }
        Boolean dot = d.bool("dns_over_tls");
        params.put("transport", Boolean.TRUE.equals(dot) ? "dot" : transport != null ? transport : "udp");
        Boolean recursion = d.bool("recursion_desired");
        if (recursion != null) {
            params.put("recursion", recursion);
        }
        List<Object> rcodes = d.list("valid_rcodes");
        List<String> valid = rcodes == null || rcodes.isEmpty() ? List.of("NOERROR")
                : rcodes.stream().map(r -> String.valueOf(r).toUpperCase(Locale.ROOT)).toList();
        // blackbox_exporter fails a probe whose rcode is not valid; the plugin reports the rcode, the assertion judges
        assertions.add(Assertion.of("attribute.rcode", Assertion.Op.MATCHES, "^(" + String.join("|", valid) + ")$"));
        ipProtocol(d, params);
        tls(d.map("tls_config"), params);
        d.rejectUnknown();
        return name;
    }

    /** {@code preferred_ip_protocol} binds the family only without fallback; with it, any family will do. */
    private static void ipProtocol(Node n, Map<String, Object> params) {
        String preferred = n.string("preferred_ip_protocol");
        Boolean fallback = n.bool("ip_protocol_fallback");
        if (preferred != null && !preferred.equals("ip4") && !preferred.equals("ip6")) {
            n.problem("preferred_ip_protocol", "must be ip4 or ip6");
        } else if (preferred != null && Boolean.FALSE.equals(fallback)) {
            params.put("ipVersion", preferred.equals("ip4") ? "4" : "6");
        }
    }

    private static void tls(Node t, Map<String, Object> params) {
        if (t == null) {
            return;
        }
        Boolean insecure = t.bool("insecure_skip_verify");
        if (insecure != null) {
            params.put("verifyTls", !insecure);
        }
        putIfSet(params, "sni", t.string("server_name"));
        String caFile = t.string("ca_file");
        if (caFile != null) {
            try {
                params.put("caCert", Files.readString(Path.of(caFile)));
            } catch (IOException | RuntimeException e) {
                t.problem("ca_file", "cannot read " + caFile + ": " + e.getMessage());
            }
        }
        t.rejectUnknown();
    }

    private static void putIfSet(Map<String, Object> params, String key, Object value) {
        if (value != null) {
            params.put(key, value);
        }
    }

    /** A YAML mapping with its path; remembers which keys were read so the rest can be refused by name. */
    private static final class Node {
        private final String path;
        private final Map<?, ?> map;
        private final Set<String> read = new LinkedHashSet<>();
        private final List<String> problems;

        private Node(String path, Map<?, ?> map, List<String> problems) {
            this.path = path;
            this.map = map;
            this.problems = problems;
        }

        static Node of(String path, Object value, List<String> problems) {
            if (value instanceof Map<?, ?> m) {
                return new Node(path, m, problems);
            }
            if (value != null) {
                problems.add((path.isEmpty() ? "the file" : path) + ": expected a mapping");
            }
            return new Node(path, Map.of(), problems);
        }

        String path(String key) {
            return path.isEmpty() ? key : key.isEmpty() ? path + "." : path + "." + key;
        }

        void problem(String key, String reason) {
            problems.add(path(key) + ": " + reason);
        }

        boolean has(String key) {
            return map.containsKey(key);
        }

        void used(String key) {
            read.add(key);
        }

        List<String> keys() {
            return map.keySet().stream().map(String::valueOf).toList();
        }

        Node map(String key) {
            read.add(key);
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Map<?, ?>)) {
                problem(key, "expected a mapping");
                return null;
            }
            return Node.of(path(key), v, problems);
        }

        String string(String key) {
            read.add(key);
            Object v = map.get(key);
            if (v instanceof Map<?, ?> || v instanceof List<?>) {
                problem(key, "expected a single value");
                return null;
            }
            return v == null ? null : String.valueOf(v);
        }

        Boolean bool(String key) {
            read.add(key);
            Object v = map.get(key);
            if (v != null && !(v instanceof Boolean)) {
                problem(key, "expected true or false");
                return null;
            }
            return (Boolean) v;
        }

        Integer integer(String key) {
            read.add(key);
            Object v = map.get(key);
            if (v != null && !(v instanceof Integer)) {
                problem(key, "expected an integer");
                return null;
            }
            return (Integer) v;
        }

        List<Object> list(String key) {
            read.add(key);
            Object v = map.get(key);
            if (v != null && !(v instanceof List<?>)) {
                problem(key, "expected a list");
                return null;
            }
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) v;
            return list;
        }

        Duration duration(String key) {
            String v = string(key);
            if (v == null) {
                return null;
            }
            try {
                Duration d = Durations.parse(v);
                if (!d.isPositive()) {
                    throw new IllegalArgumentException("must be positive");
                }
                return d;
            } catch (IllegalArgumentException e) {
                problem(key, e.getMessage());
                return null;
            }
        }

        void rejectUnknown() {
            for (String k : keys()) {
                if (!read.contains(k)) {
                    problem(k, "not supported by Vantage's blackbox mapping (see docs/prometheus.md)");
                }
            }
        }
    }
}
