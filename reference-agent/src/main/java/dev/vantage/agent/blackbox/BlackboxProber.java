package dev.vantage.agent.blackbox;

import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Answers blackbox_exporter's {@code /probe?target=&module=} with one attempt on the agent's own engine, so the
 * engine's address policy (the server's, once it sent one), concurrency limit and plugins apply. The attempt has no
 * task id: it is neither spooled to the server nor made into result metrics.
 */
public final class BlackboxProber {
    /** blackbox_exporter leaves this much of Prometheus' scrape timeout for the answer to travel back. */
    private static final Duration SCRAPE_OFFSET = Duration.ofMillis(500);
    /** Prometheus' default scrape timeout, for a request that does not say its own. */
    private static final Duration DEFAULT_SCRAPE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

    private final ProbeEngine engine;
    private final BlackboxConfig config;

    public BlackboxProber(ProbeEngine engine, BlackboxConfig config) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Probes {@code target} with {@code module} and returns the answer in the Prometheus text format.
     *
     * @param scrapeTimeout Prometheus' {@code X-Prometheus-Scrape-Timeout-Seconds}, or null
     * @throws IllegalArgumentException naming the query parameter that is missing or wrong
     */
    public String probe(String module, String target, Duration scrapeTimeout) throws InterruptedException {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("target: parameter is missing");
        }
        String name = module == null || module.isBlank() ? "http_2xx" : module; // blackbox_exporter's default
        BlackboxModule m = config.module(name);
        if (m == null) {
            throw new IllegalArgumentException("module: unknown module \"" + name + "\"; known: "
                    + String.join(", ", new TreeSet<>(config.moduleNames())));
        }
        Duration timeout = (scrapeTimeout != null ? scrapeTimeout : DEFAULT_SCRAPE_TIMEOUT).minus(SCRAPE_OFFSET);
        if (m.timeout() != null && m.timeout().compareTo(timeout) < 0) {
            timeout = m.timeout();
        }
        if (timeout.compareTo(MIN_TIMEOUT) < 0) {
            timeout = MIN_TIMEOUT;
        }
        TaskSpec task = m.task(target, timeout);
        ProbeResult result;
        try {
            result = engine.runOnce(task).toCompletableFuture().get();
        } catch (InvalidTaskException e) {
            throw new IllegalArgumentException(e.problems().stream().map(BlackboxProber::describe)
                    .collect(Collectors.joining("; ")), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("probe failed: " + e.getCause(), e.getCause());
        }
        return BlackboxMetrics.format(m, result);
    }

    /** The engine names the task's fields; the scrape knows them as the target and the module's settings. */
    private static String describe(ConfigProblem p) {
        String field = p.field().equals("target") || p.field().equals("params.resolver") ? "target"
                : "module setting " + p.field();
        return field + ": " + p.reason();
    }
}
