package dev.vantage.agent.runtime;

import dev.vantage.probe.engine.FollowUps;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.spi.ProbeResult;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The agent's automatic diagnosis: when an attempt of a task with {@code "diagnose": {"onFailure": true}} fails,
 * this agent traces the route to the target and looks its name up, and the results travel attached to the failed
 * one ({@link ProbeResult#followUps()}). The engine runs them; this class only says what to run, and how often:
 * at most one diagnosis per task per {@code every} on this agent, so a task failing every second does not trace
 * every second.
 *
 * <p>The trace's mode follows the task: a TCP SYN trace to the service's port for {@code tcp} and {@code http}
 * when raw sockets are allowed (what the service's own packets meet on the way), else ICMP where ping sockets or
 * raw sockets work, else UDP (which needs no privilege). A DNS lookup (type A, or AAAA for an IPv6-only task) is
 * added when the target is a name.
 */
final class Diagnosis implements FollowUps {
    static final Duration TRACE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DNS_TIMEOUT = Duration.ofSeconds(5);
    /** Beyond this many remembered tasks, those whose quiet time is over are forgotten (instant tests come and go). */
    private static final int PRUNE_AT = 10_000;

    private final long everyNanos;
    private final String resolver;
    private final LongSupplier nanoTime;
    private final Map<String, Long> lastRun = new ConcurrentHashMap<>();
    /** Set once the engine is built and its ICMP rights are known; until then nothing is diagnosed. */
    private volatile Set<String> types = Set.of();
    private volatile String icmpMode = "none";

    /**
     * @param every    at least this long between two diagnoses of one task
     * @param resolver the resolver the DNS lookup asks ({@code dns}'s {@code resolver} parameter); null for the
     *                 system's
     */
    Diagnosis(Duration every, String resolver, LongSupplier nanoTime) {
        this.everyNanos = every.toNanos();
        this.resolver = resolver;
        this.nanoTime = nanoTime;
    }

    /** What this agent can run: the installed probe types and the ICMP socket kind ({@code raw}, {@code datagram}, {@code none}). */
    void capabilities(Set<String> installed, String icmpMode) {
        this.icmpMode = icmpMode;
        this.types = Set.copyOf(installed);
    }

    @Override
    public List<TaskSpec> onFailure(TaskSpec task, ProbeResult failed) {
        if (!task.diagnoseOnFailure()) {
            return List.of();
        }
        List<TaskSpec> plan = plan(task);
        return plan.isEmpty() || !admit(task.id()) ? List.of() : plan;
    }

    /** The follow-ups for a failure of {@code task}, regardless of the rate limit. */
    List<TaskSpec> plan(TaskSpec task) {
        Destination d = Destination.of(task);
        if (d == null) {
            return List.of();
        }
        Object ipVersion = task.params().get("ipVersion");
        List<TaskSpec> plan = new ArrayList<>(2);
        if (types.contains("traceroute")) {
            TaskSpec.Builder trace = TaskSpec.builder("traceroute", d.host()).id(task.id()).timeout(TRACE_TIMEOUT)
                    .labels(task.labels());
            boolean raw = icmpMode.equals("raw");
            if (d.port() > 0 && d.tcp() && raw) {
                trace.param("mode", "tcp").param("port", d.port());
            } else {
                trace.param("mode", raw || icmpMode.equals("datagram") ? "icmp" : "udp");
            }
            if (ipVersion != null) {
                trace.param("ipVersion", ipVersion);
            }
            plan.add(trace.build());
        }
        if (d.lookUp() && types.contains("dns") && !HostPort.isLiteral(d.host())) {
            TaskSpec.Builder dns = TaskSpec.builder("dns", d.host()).id(task.id()).timeout(DNS_TIMEOUT)
                    .labels(task.labels()).param("type", "6".equals(String.valueOf(ipVersion)) ? "AAAA" : "A");
            if (resolver != null) {
                dns.param("resolver", resolver);
            }
            plan.add(dns.build());
        }
        return plan;
    }

    /** Takes the task's diagnosis slot if its quiet time is over. */
    private boolean admit(String taskId) {
        long now = nanoTime.getAsLong();
        boolean[] admitted = {false};
        lastRun.compute(taskId, (id, last) -> {
            if (last == null || now - last >= everyNanos) {
                admitted[0] = true;
                return now;
            }
            return last;
        });
        if (lastRun.size() > PRUNE_AT) {
            lastRun.values().removeIf(last -> now - last >= everyNanos);
        }
        return admitted[0];
    }

    /**
     * Where a task's packets go: a host, the service port (0 when there is none) and whether it is TCP; and whether
     * the host is worth a DNS lookup (not for a {@code dns} task, whose failure already is one).
     */
    record Destination(String host, int port, boolean tcp, boolean lookUp) {

        /** Null for a task whose target has no host to trace (an unknown type, a malformed target). */
        static Destination of(TaskSpec task) {
            String target = task.target();
            try {
                return switch (task.type()) {
                    case "tcp" -> hostPort(target, true);
                    case "udp" -> hostPort(target, false);
                    case "icmp" -> bare(target, true);
                    case "http" -> url(target, true);
                    // the resolver is what a failed lookup talked to; the name itself needs no second lookup
                    case "dns" -> resolver(task.params().get("resolver"));
                    default -> null; // traceroute is already a diagnosis; unknown types say nothing of hosts
                };
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static Destination hostPort(String target, boolean tcp) {
            HostPort hp = HostPort.parse(target);
            return new Destination(hp.host(), hp.port(), tcp, true);
        }

        private static Destination bare(String target, boolean lookUp) {
            String host = HostPort.bareHost(target);
            return host == null ? null : new Destination(host, 0, false, lookUp);
        }

        private static Destination url(String target, boolean lookUp) {
            URI uri = URI.create(target);
            String host = uri.getHost();
            if (host == null) {
                return null;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return new Destination(host, port, true, lookUp);
        }

        private static Destination resolver(Object resolver) {
            if (!(resolver instanceof String r) || r.isBlank()) {
                return null; // the system's resolver: not known here
            }
            if (r.startsWith("https://") || r.startsWith("HTTPS://")) {
                Destination d = url(r, false);
                return d == null ? null : new Destination(d.host(), d.port(), true, false);
            }
            Destination d = bare(r, false);
            if (d != null) {
                return d;
            }
            HostPort hp = HostPort.parse(r);
            return new Destination(hp.host(), hp.port(), false, false);
        }
    }
}
