package dev.vantage.benchmarks;

import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Engine overhead with no-op probes: results per second that reach a sink, end to end (start an attempt on a
 * virtual thread, arm and cancel its deadline, complete the result, evaluate {@code status eq SUCCESS}, queue it,
 * export it). One benchmark operation is one result counted by the sink.
 *
 * <ul>
 *   <li>{@code runOnce}: a batch of {@value #BATCH} {@link ProbeEngine#runOnce} calls, then wait until the sink
 *       has counted all of them. Includes validating the spec and creating the probe on every call.</li>
 *   <li>{@code scheduled}: {@code tasks} tasks every 10 ms (offered load {@code tasks * 100}/s); wait for the next
 *       {@value #BATCH} results at the sink. With more offered than the engine can do this is its capacity.</li>
 *   <li>{@code baselineVirtualThreadQueue}: the bare minimum the same design needs: one virtual thread per item
 *       that puts a prebuilt result on an {@link ArrayBlockingQueue} drained in batches by one platform thread
 *       into the same counting sink.</li>
 *   <li>{@code baselineVirtualThreadQueueBuildResult}: the same, but each thread builds one {@link ProbeResult}
 *       (the least a probe must do), to separate the cost of the result type from the engine's.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EngineThroughputBenchmark {
    static final int BATCH = 10_000;
    static final Assertion SUCCESS = Assertion.of("status", Assertion.Op.EQ, "SUCCESS");

    /** An engine with the no-op type and the counting sink; {@code metrics=simple} adds a SimpleMeterRegistry. */
    @State(Scope.Benchmark)
    public static class EngineState {
        @Param({"none", "simple"})
        public String metrics;

        ProbeEngine engine;
        final CountingSink sink = new CountingSink();
        final TaskSpec once = TaskSpec.builder(NoopProvider.TYPE, "local").assertion(SUCCESS).build();
        private EngineStats before;
        private final CpuMeter cpu = new CpuMeter();

        ProbeEngine.Builder builder() {
            ProbeEngine.Builder b = ProbeEngine.builder().discoverProviders(false).addProvider(new NoopProvider())
                    .addSink(sink);
            if (metrics.equals("simple")) {
                b.meterRegistry(new SimpleMeterRegistry());
            }
            return b;
        }

        @Setup(Level.Trial)
        public void start() {
            engine = builder().build();
            afterStart();
        }

        /** Not a second {@code @Setup}: JMH would run an overriding setup method twice (once per class). */
        void afterStart() {
        }

        @Setup(Level.Iteration)
        public void mark() {
            before = engine.stats();
            cpu.mark(sink.count());
        }

        /** Printed with the fork's output: shows drops, skipped slots and failures that would taint the figure. */
        @TearDown(Level.Iteration)
        public void report() {
            EngineStats s = engine.stats();
            EngineStats.SinkStats k = s.sinks().getFirst(), k0 = before.sinks().getFirst();
            System.out.printf("  [engine] started %,d delivered %,d dropped %,d missedSlots %,d skippedInFlight %,d"
                            + " notSuccess(total) %,d lagMax %s %s%n",
                    s.started() - before.started(), k.delivered() - k0.delivered(), k.dropped() - k0.dropped(),
                    s.missedSlots() - before.missedSlots(), s.skippedInFlight() - before.skippedInFlight(),
                    sink.notSuccess(), s.lagMax(), cpu.report(sink.count()));
        }

        @TearDown(Level.Trial)
        public void stop() {
            engine.close();
        }
    }

    /** {@code tasks} tasks every 10 ms, the engine's shortest interval, each asserting success. */
    @State(Scope.Benchmark)
    public static class ScheduledState extends EngineState {
        @Param({"20000"})
        public int tasks;

        @Override
        void afterStart() {
            Duration interval = Duration.ofMillis(10);
            for (int i = 0; i < tasks; i++) {
                engine.schedule(TaskSpec.builder(NoopProvider.TYPE, "local").id("t" + i).interval(interval)
                        .timeout(interval).assertion(SUCCESS).build());
            }
        }
    }

    /** A queue drained by one platform thread into a counting sink, as the engine's SinkDispatcher does. */
    @State(Scope.Benchmark)
    public static class BaselineState {
        final CountingSink sink = new CountingSink();
        final BlockingQueue<ProbeResult> queue = new ArrayBlockingQueue<>(65_536);
        final LongAdder dropped = new LongAdder();
        final ThreadFactory threads = Thread.ofVirtual().name("baseline").factory();
        final ProbeResult prebuilt = ProbeResult.builder().type(NoopProvider.TYPE).target("local")
                .startedAt(Instant.now()).build();
        private Thread drainer;
        private final CpuMeter cpu = new CpuMeter();

        @Setup(Level.Trial)
        public void start() {
            drainer = Thread.ofPlatform().daemon().name("baseline-drain").start(this::drain);
        }

        @Setup(Level.Iteration)
        public void mark() {
            cpu.mark(sink.count());
        }

        @TearDown(Level.Iteration)
        public void report() {
            System.out.println("  [baseline] " + cpu.report(sink.count()));
        }

        private void drain() {
            List<ProbeResult> batch = new ArrayList<>(1_000);
            List<ProbeResult> view = Collections.unmodifiableList(batch);
            try {
                while (true) {
                    ProbeResult first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, 999);
                    sink.export(view);
                    batch.clear();
                }
            } catch (InterruptedException e) {
                // trial over
            }
        }

        void offer(ProbeResult r) {
            if (!queue.offer(r)) {
                dropped.increment();
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            drainer.interrupt();
            drainer.join();
            if (dropped.sum() > 0) {
                System.out.println("  [baseline] dropped " + dropped.sum());
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void runOnce(EngineState s) throws Exception {
        long target = s.sink.count() + BATCH;
        for (int i = 0; i < BATCH; i++) {
            s.engine.runOnce(s.once);
        }
        s.sink.awaitCount(target, 60, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void scheduled(ScheduledState s) throws Exception {
        // counted from now: results delivered between invocations must not shorten the next one
        s.sink.awaitCount(s.sink.count() + BATCH, 60, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineVirtualThreadQueue(BaselineState s) throws Exception {
        long target = s.sink.count() + BATCH;
        for (int i = 0; i < BATCH; i++) {
            s.threads.newThread(() -> s.offer(s.prebuilt)).start();
        }
        s.sink.awaitCount(target, 60, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineVirtualThreadQueueBuildResult(BaselineState s) throws Exception {
        long target = s.sink.count() + BATCH;
        for (int i = 0; i < BATCH; i++) {
            s.threads.newThread(() -> s.offer(ProbeResult.builder().type(NoopProvider.TYPE).target("local")
                    .startedAt(Instant.now()).build())).start();
        }
        s.sink.awaitCount(target, 60, TimeUnit.SECONDS);
    }
}
