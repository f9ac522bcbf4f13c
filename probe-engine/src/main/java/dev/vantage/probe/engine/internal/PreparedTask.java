package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A task the engine has validated: its probe is created and its assertions compiled.
 *
 * @param ready completes when the provider has warmed up ({@link dev.vantage.probe.spi.ProbeProvider#warmUp()});
 *              attempts start their clock after it
 */
public record PreparedTask(TaskSpec spec, Probe probe, List<CompiledAssertion> assertions,
                           CompletableFuture<Void> ready) {

    /** How long before the timeout the probe's own deadline lies ({@link ProbeConfig#deadlineMargin}). */
    public long deadlineMarginNanos() {
        return ProbeConfig.deadlineMargin(spec.timeout()).toNanos();
    }
}
