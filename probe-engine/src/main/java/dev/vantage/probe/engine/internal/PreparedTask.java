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
 * @param followUp whether this is a follow-up of a failed attempt: its result goes to that attempt only, not to
 *                 the sinks, and asks for no follow-ups of its own
 */
public record PreparedTask(TaskSpec spec, Probe probe, List<CompiledAssertion> assertions,
                           CompletableFuture<Void> ready, boolean followUp) {

    /** How long before the timeout the probe's own deadline lies ({@link ProbeConfig#deadlineMargin}). */
    public long deadlineMarginNanos() {
        return ProbeConfig.deadlineMargin(spec.timeout()).toNanos();
    }
}
