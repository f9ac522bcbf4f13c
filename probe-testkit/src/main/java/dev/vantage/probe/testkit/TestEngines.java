package dev.vantage.probe.testkit;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.NameResolver;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Real {@link ProbeEngine}s for a plugin's own tests, set up the way {@link ProbeConformanceSuite} sets up its
 * engine: only the provider under test (no discovery), and a resolver that refuses names ending in
 * {@code .invalid} (RFC 6761) without asking any DNS server and passes every other name to the JDK.
 * <pre>{@code
 * try (ProbeEngine engine = TestEngines.engine(new MyProbeProvider())) {
 *     ProbeResult r = TestEngines.runOnce(engine, TaskSpec.builder("my", "127.0.0.1:7").build());
 * }
 * }</pre>
 */
public final class TestEngines {
    /** How long past a task's timeout {@link #runOnce} waits before it fails the test. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private TestEngines() {
    }

    /** An engine with only {@code provider}, the test resolver, and no address policy. */
    public static ProbeEngine engine(ProbeProvider provider) {
        return engine(provider, AddressPolicy.allowAll());
    }

    /** An engine with only {@code provider}, the test resolver and {@code policy}. */
    public static ProbeEngine engine(ProbeProvider provider, AddressPolicy policy) {
        return ProbeEngine.builder().discoverProviders(false).addProvider(provider).resolver(resolver())
                .addressPolicy(policy).build();
    }

    /** The JDK's resolver, except that a name ending in {@code .invalid} fails at once. */
    public static NameResolver resolver() {
        NameResolver system = NameResolver.system();
        return host -> {
            if (host.endsWith(".invalid")) {
                throw new UnknownHostException(host + ": no such host (RFC 6761)");
            }
            return system.resolve(host);
        };
    }

    /**
     * Runs one attempt and waits for its result.
     *
     * @throws java.util.concurrent.CompletionException wrapping a {@link java.util.concurrent.TimeoutException} if
     *         the engine has not completed the attempt 10 s after the task's timeout
     * @throws dev.vantage.probe.engine.InvalidTaskException if the spec is invalid
     */
    public static ProbeResult runOnce(ProbeEngine engine, TaskSpec spec) {
        return engine.runOnce(spec).toCompletableFuture()
                .orTimeout(spec.timeout().plus(GRACE).toMillis(), TimeUnit.MILLISECONDS).join();
    }
}
