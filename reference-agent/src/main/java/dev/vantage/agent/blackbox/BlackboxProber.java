package dev.vantage.agent.blackbox;

import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Answers blackbox_exporter's {@code /probe?target=&module=} with one attempt on the agent's own engine, so the
 * engine's address policy (the server's, once it sent one), concurrency limit and plugins apply. The attempt has no
 * task id: it is neither spooled to the server nor made into result metrics. The server's {@code /api/v1/probe},
 * which runs the attempt on a chosen agent, reads the request and writes the answer with the same {@link Scrape}.
 */
public final class BlackboxProber {
    /** Prometheus' header with its scrape timeout in seconds. */
    public static final String SCRAPE_TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds";
    /** The answer's content type: the Prometheus text format. */
    public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
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
        Scrape scrape = Scrape.of(config, module, target, scrapeTimeout);
        ProbeResult result;
        try {
            result = engine.runOnce(scrape.task()).toCompletableFuture().get();
        } catch (InvalidTaskException e) {
            throw new IllegalArgumentException(e.problems().stream().map(p -> parameter(p) + ": " + describe(p))
                    .collect(Collectors.joining("; ")), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("probe failed: " + e.getCause(), e.getCause());
        }
        return scrape.render(result);
    }

    /**
     * Reads Prometheus' {@code X-Prometheus-Scrape-Timeout-Seconds}: null when absent or not a number Prometheus
     * would write, so the default applies, as in blackbox_exporter.
     */
    public static Duration scrapeTimeout(String header) {
        if (header == null) {
            return null;
        }
        try {
            double s = Double.parseDouble(header.strip());
            return s > 0 && s < 86_400 ? Duration.ofNanos((long) (s * 1e9)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The scrape parameter a problem of the engine's with a scrape's task is about: {@code target} for the target
     * (or a dns module's resolver, which is the scrape's target), {@code module} for the settings the module gave.
     */
    public static String parameter(ConfigProblem p) {
        return p.field().equals("target") || p.field().equals("params.resolver") ? "target" : "module";
    }

    private static String describe(ConfigProblem p) {
        return parameter(p).equals("target") ? p.reason() : "setting " + p.field() + ": " + p.reason();
    }

    /**
     * One {@code /probe} request resolved against the modules: the one-off task to run, and how its result is
     * written back in blackbox_exporter's format.
     */
    public record Scrape(BlackboxModule module, TaskSpec task) {

        /**
         * @param module        the {@code module} parameter; blank or null means {@code http_2xx}, as in
         *                      blackbox_exporter
         * @param target        the {@code target} parameter
         * @param scrapeTimeout Prometheus' scrape timeout ({@link #scrapeTimeout(String)}), or null
         * @throws BadParameterException naming the parameter that is missing or unknown
         */
        public static Scrape of(BlackboxConfig config, String module, String target, Duration scrapeTimeout) {
            if (target == null || target.isBlank()) {
                throw new BadParameterException("target", "targetMissing", List.of(), "parameter is missing");
            }
            String name = module == null || module.isBlank() ? "http_2xx" : module;
            BlackboxModule m = config.module(name);
            if (m == null) {
                String known = String.join(", ", new TreeSet<>(config.moduleNames()));
                throw new BadParameterException("module", "moduleUnknown", List.of(name, known),
                        "unknown module \"" + name + "\"; known: " + known);
            }
            Duration timeout = (scrapeTimeout != null ? scrapeTimeout : DEFAULT_SCRAPE_TIMEOUT).minus(SCRAPE_OFFSET);
            if (m.timeout() != null && m.timeout().compareTo(timeout) < 0) {
                timeout = m.timeout();
            }
            if (timeout.compareTo(MIN_TIMEOUT) < 0) {
                timeout = MIN_TIMEOUT;
            }
            return new Scrape(m, m.task(target, timeout));
        }

        /** The result in blackbox_exporter's format (Prometheus text). */
        public String render(ProbeResult result) {
            return BlackboxMetrics.format(module, result);
        }
    }

    /**
     * A {@code /probe} parameter missing or unknown. The message is English ({@code target: parameter is missing});
     * {@link #code()} and {@link #args()} let the server say it in the caller's language.
     */
    public static final class BadParameterException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String parameter;
        private final String code;
        private final transient List<Object> args;

        BadParameterException(String parameter, String code, List<Object> args, String reason) {
            super(parameter + ": " + reason);
            this.parameter = parameter;
            this.code = code;
            this.args = List.copyOf(args);
        }

        /** {@code target} or {@code module}. */
        public String parameter() {
            return parameter;
        }

        /** {@code targetMissing} or {@code moduleUnknown}. */
        public String code() {
            return code;
        }

        public List<Object> args() {
            return args;
        }
    }
}
