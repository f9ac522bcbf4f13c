package dev.vantage.benchmarks;

import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Probe type {@code noop}: an attempt does no I/O and returns a bare success at once, so whatever time a benchmark
 * measures is the engine's own (scheduling, threads, deadline bookkeeping, result completion, assertions, sinks).
 */
public final class NoopProvider implements ProbeProvider {
    public static final String TYPE = "noop";

    private final Consumer<ProbeContext> onRun;

    public NoopProvider() {
        this(ctx -> { });
    }

    /** @param onRun called at the start of every attempt, on the attempt's thread (the harness measures lag there) */
    public NoopProvider(Consumer<ProbeContext> onRun) {
        this.onRun = onRun;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProbeDescriptor describe() {
        return ProbeDescriptor.builder(TYPE).description("does nothing; for benchmarks").build();
    }

    @Override
    public Probe create(ProbeConfig config) {
        return this::run;
    }

    private CompletionStage<ProbeResult> run(ProbeContext ctx) {
        onRun.accept(ctx);
        return CompletableFuture.completedFuture(ctx.newResult().build());
    }
}
