package dev.vantage.probe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every probe plugin must show, run through a real {@link ProbeEngine} against real servers that the
 * subclass starts: configuration errors name their field, a reachable target succeeds, a closed port is
 * {@code REFUSED}, an unresolvable name is {@code DNS}, a silent target ends as {@code TIMEOUT} at the deadline, the
 * address policy is applied before any contact, and closing the engine cancels an attempt in flight.
 *
 * <p>Extend it in your plugin's tests (Netty's transport tests and Micrometer's registry kits work the same way):
 * <pre>{@code
 * class MyProbeConformanceTest extends ProbeConformanceSuite {
 *     protected ProbeProvider provider() { return new MyProbeProvider(); }
 *     protected String targetFor(String host) { return host + ":7"; }
 *     ...
 * }
 * }</pre>
 * Names ending in {@code .invalid} never resolve here (RFC 6761); the suite's resolver answers them without asking
 * any DNS server, and passes every other name to the JDK. {@link TestEngines} builds the same engines for a plugin's
 * other tests.
 */
public abstract class ProbeConformanceSuite {

    /** How long past its deadline an attempt may take to end. */
    protected static final Duration DEADLINE_SLACK = Duration.ofMillis(500);

    private ProbeEngine engine;

    /** A new instance of the provider under test. */
    protected abstract ProbeProvider provider();

    /** A target the test's own server answers, e.g. {@code 127.0.0.1:PORT}. */
    protected abstract String reachableTarget();

    /** The target in this type's form for a host; used for the unresolvable-name check. */
    protected abstract String targetFor(String host);

    /** A target nothing listens on (a closed port), or {@code null} if the type has no such notion (ICMP). */
    protected abstract String closedTarget();

    /**
     * A target that accepts the probe but never answers, so the attempt can only end at its deadline (e.g. a TCP
     * listener that never replies to {@code expect}, an HTTP server that never sends headers).
     */
    protected abstract String silentTarget();

    /** A target this type must refuse in {@code create()}, e.g. one without a port. */
    protected abstract String malformedTarget();

    /** Parameters every task of the suite uses (for a silent target they must make the probe wait for a reply). */
    protected Map<String, Object> params() {
        return Map.of();
    }

    /** Parameters that make {@link #silentTarget()} silent, added to {@link #params()} for those checks. */
    protected Map<String, Object> silentParams() {
        return Map.of();
    }

    /** The engine used by the suite; subclasses may use it for their own tests. */
    protected ProbeEngine engine() {
        return engine;
    }

    @BeforeEach
    void startEngine() {
        engine = newEngine(AddressPolicy.allowAll());
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    /** A fresh engine with only the provider under test, the suite's resolver and the given policy. */
    protected ProbeEngine newEngine(AddressPolicy policy) {
        return TestEngines.engine(provider(), policy);
    }

    /** A task of the provider's type for {@code target} with {@link #params()} and the given timeout. */
    protected TaskSpec.Builder task(String target, Duration timeout) {
        return TaskSpec.builder(provider().type(), target).timeout(timeout).params(params());
    }

    /** Runs one attempt and waits for it, failing the test if the engine never completes it. */
    protected ProbeResult run(ProbeEngine on, TaskSpec spec) {
        return TestEngines.runOnce(on, spec);
    }

    @Test
    void describesItselfCompletely() {
        ProbeProvider p = provider();
        ProbeDescriptor d = p.describe();
        assertThat(d.type()).isEqualTo(p.type()).matches("[a-z][a-z0-9-]*");
        assertThat(d.description()).as("descriptor description").isNotBlank();
        assertThat(d.targetDescription()).as("target description").isNotBlank();
        for (ParameterSpec spec : d.parameters()) {
            assertThat(spec.description()).as("description of " + spec.name()).isNotBlank();
            if (spec.secret()) {
                assertThat(spec.defaultValue()).as("a secret has no default: " + spec.name()).isNull();
            }
        }
        // every default must pass the engine's own checks
        assertThat(engine.validate(task(reachableTarget(), Duration.ofSeconds(1)).build())).isEmpty();
    }

    @Test
    void rejectsUnknownParametersAndMalformedTargetsNamingTheField() {
        // two specs: the engine runs the plugin's own checks (the target's form) only once the parameters are valid
        List<ConfigProblem> unknown = engine.validate(task(reachableTarget(), Duration.ofSeconds(1))
                .param("noSuchParameter", 1).build());
        List<ConfigProblem> malformed = engine.validate(task(malformedTarget(), Duration.ofSeconds(1)).build());
        assertThat(unknown).extracting(ConfigProblem::field).contains("params.noSuchParameter");
        assertThat(malformed).extracting(ConfigProblem::field).contains("target");
        assertThat(unknown).allSatisfy(p -> assertThat(p.reason()).isNotBlank());
        assertThat(malformed).allSatisfy(p -> assertThat(p.reason()).isNotBlank());
    }

    @Test
    void succeedsAgainstAReachableTarget() {
        ProbeResult r = run(engine, task(reachableTarget(), Duration.ofSeconds(5)).build());
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.error()).isNull();
        assertThat(r.duration()).isPositive().isLessThan(Duration.ofSeconds(5));
        for (Map.Entry<String, Duration> phase : r.phases().entrySet()) {
            assertThat(phase.getValue()).as("phase " + phase.getKey()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThanOrEqualTo(r.duration());
        }
    }

    @Test
    void aClosedPortIsRefused() {
        String closed = closedTarget();
        Assumptions.assumeTrue(closed != null, "this probe type has no notion of a closed port");
        ProbeResult r = run(engine, task(closed, Duration.ofSeconds(5)).build());
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.FAILURE);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.REFUSED);
        assertThat(r.error().message()).isNotBlank();
    }

    @Test
    void anUnresolvableNameIsADnsFailure() {
        ProbeResult r = run(engine, task(targetFor("no-such-host.invalid"), Duration.ofSeconds(5)).build());
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.FAILURE);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.DNS);
        assertThat(r.error().message()).contains("no-such-host.invalid");
    }

    @Test
    void aSilentTargetTimesOutAtTheDeadline() {
        Duration timeout = Duration.ofMillis(400);
        long t0 = System.nanoTime();
        ProbeResult r = run(engine, task(silentTarget(), timeout).params(silentParams()).build());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.TIMEOUT);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(took).isGreaterThanOrEqualTo(timeout.minusMillis(50)).isLessThan(timeout.plus(DEADLINE_SLACK));
    }

    @Test
    void theAddressPolicyIsAppliedBeforeAnyContact() {
        AddressPolicy denyLoopback = AddressPolicy.builder().deny("127.0.0.0/8").deny("::1/128").build();
        try (ProbeEngine strict = newEngine(denyLoopback)) {
            ProbeResult r = run(strict, task(reachableTarget(), Duration.ofSeconds(5)).build());
            assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.ERROR);
            assertThat(r.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(r.error().message()).contains("denied range");
        }
    }

    @Test
    void closingTheEngineCancelsAnAttemptInFlight() throws Exception {
        ProbeEngine own = newEngine(AddressPolicy.allowAll());
        CompletableFuture<ProbeResult> pending = own.runOnce(task(silentTarget(), Duration.ofSeconds(30))
                .params(silentParams()).build()).toCompletableFuture();
        Thread.sleep(300); // let the attempt reach its wait
        long t0 = System.nanoTime();
        own.close();
        ProbeResult r = pending.get(5, TimeUnit.SECONDS);
        assertThat(r.error()).isNotNull();
        assertThat(r.error().kind()).isEqualTo(ErrorKind.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
    }
}
