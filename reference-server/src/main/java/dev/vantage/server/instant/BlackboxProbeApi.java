package dev.vantage.server.instant;

import dev.vantage.agent.blackbox.BlackboxConfig;
import dev.vantage.agent.blackbox.BlackboxProber;
import dev.vantage.agent.blackbox.BlackboxProber.Scrape;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import dev.vantage.server.tasks.EngineProblems;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /api/v1/probe?target=&module=&agent=}: blackbox_exporter's {@code /probe} through the server. The probe
 * runs once on the chosen agent as an instant test (so the agent's address policy applies, and the run is stored and
 * shown like any instant test), and the answer is the agent's own {@code /probe} answer, written by the same
 * {@link Scrape}. Modules: blackbox_exporter's examples (docs/prometheus.md).
 */
public final class BlackboxProbeApi implements ApiModule {
    private static final HeaderName SCRAPE_TIMEOUT = HeaderNames.create(BlackboxProber.SCRAPE_TIMEOUT_HEADER);
    /** Beyond the probe's own timeout: the order's way to the agent and the result's way back and into the store. */
    private static final Duration TRANSIT = Duration.ofSeconds(2);
    /** Left of Prometheus' scrape timeout for writing the answer when the agent's is late. */
    private static final Duration ANSWER = Duration.ofMillis(100);

    private final InstantTests instants;
    private final ProbeEngine engine;
    private final BlackboxConfig modules;
    private final Clock clock;

    public BlackboxProbeApi(InstantTests instants, ProbeEngine engine, BlackboxConfig modules, Clock clock) {
        this.instants = instants;
        this.engine = engine;
        this.modules = modules;
        this.clock = clock;
    }

    @Override
    public void routes(Routes routes) {
        // probes now, as an instant test does: operators (and their API tokens), not viewers
        routes.get("/api/v1/probe", Role.OPERATOR, this::probe);
    }

    private void probe(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        List<FieldError> errors = new ArrayList<>();
        String agent = q.string("agent");
        if (agent == null) {
            errors.add(FieldError.of("agent", "blackbox.agentMissing"));
        }
        Scrape scrape = null;
        Duration scrapeTimeout = BlackboxProber.scrapeTimeout(req.headers().first(SCRAPE_TIMEOUT).orElse(null));
        try {
            scrape = Scrape.of(modules, q.string("module"), q.string("target"), scrapeTimeout);
        } catch (BlackboxProber.BadParameterException e) {
            errors.add(FieldError.of(e.parameter(), "blackbox." + e.code(), e.args().toArray()));
        }
        if (scrape != null) {
            // the id is the instant test's; validate with a placeholder so a missing id is not reported
            TaskSpec task = scrape.task().toBuilder().id(UUID.randomUUID().toString()).build();
            engine.validate(task).forEach(p -> errors.add(new FieldError(BlackboxProber.parameter(p),
                    EngineProblems.of(engine, p, task.type()).text())));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        TaskSpec task = scrape.task();
        Duration wait = answerWithin(task, scrapeTimeout);
        ProbeResult result = instants.runOn(agent, task, Routes.principal(req).userId(), wait)
                .orElseGet(() -> ProbeResult.builder().id(UUID.randomUUID().toString()).type(task.type())
                        .target(task.target()).startedAt(clock.instant().minus(wait)).duration(wait)
                        .error(ErrorKind.TIMEOUT, "no answer from the agent within " + wait.toMillis() + " ms")
                        .build());
        res.header(HeaderNames.CONTENT_TYPE, BlackboxProber.TEXT_FORMAT);
        res.send(scrape.render(result));
    }

    /**
     * How long to wait for the agent's result: the probe's timeout and the way back, but short enough to answer
     * (probe_success 0) before Prometheus gives up on the scrape, and never shorter than the probe itself.
     */
    private static Duration answerWithin(TaskSpec task, Duration scrapeTimeout) {
        Duration wait = task.timeout().plus(TRANSIT);
        if (scrapeTimeout != null && scrapeTimeout.minus(ANSWER).compareTo(wait) < 0) {
            Duration beforeScrapeEnds = scrapeTimeout.minus(ANSWER);
            wait = beforeScrapeEnds.compareTo(task.timeout()) > 0 ? beforeScrapeEnds : task.timeout();
        }
        return wait;
    }
}
