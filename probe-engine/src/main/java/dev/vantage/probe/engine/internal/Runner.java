package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.EngineClock;
import dev.vantage.probe.engine.NameResolver;
import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs attempts: takes a concurrency permit on a fresh virtual thread, enforces the deadline, then completes the
 * result (id, labels, assertions), counts it and hands it to every sink.
 */
public final class Runner {
    final EngineClock clock;
    final TimerQueue timers;
    final NameResolver resolver;
    final AddressPolicy policy;
    private final Semaphore permits;
    private final int maxConcurrency;
    private final Map<String, String> engineLabels;
    private final List<SinkDispatcher> sinks;
    private final MeterRegistry registry;
    private final ThreadFactory threads = Thread.ofVirtual().name("vantage-probe").factory();
    private final Set<Attempt> active = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> resultCounters = new ConcurrentHashMap<>();
    private final Map<String, Timer> durationTimers = new ConcurrentHashMap<>();
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();

    public Runner(EngineClock clock, TimerQueue timers, NameResolver resolver, AddressPolicy policy, int maxConcurrency,
                  Map<String, String> engineLabels, List<SinkDispatcher> sinks, MeterRegistry registry) {
        this.clock = clock;
        this.timers = timers;
        this.resolver = resolver;
        this.policy = policy;
        this.maxConcurrency = maxConcurrency;
        this.permits = new Semaphore(maxConcurrency);
        this.engineLabels = Map.copyOf(engineLabels);
        this.sinks = List.copyOf(sinks);
        this.registry = registry;
    }

    /**
     * Starts one attempt of {@code task}.
     *
     * @param onDone runs once when the attempt ends, whatever the outcome
     */
    public CompletableFuture<ProbeResult> start(PreparedTask task, Runnable onDone) {
        Attempt attempt = new Attempt(this, task, onDone);
        active.add(attempt);
        started.increment();
        if (permits.tryAcquire()) {
            attempt.permit.set(true);
            attempt.begin();
            threads.newThread(attempt::run).start();
        } else {
            threads.newThread(() -> {
                try {
                    permits.acquire();
                } catch (InterruptedException e) {
                    attempt.cancel("engine closed before the attempt started");
                    return;
                }
                attempt.permit.set(true);
                if (attempt.isFinished() && attempt.permit.getAndSet(false)) {
                    permits.release(); // it was cancelled while we waited
                    return;
                }
                if (attempt.begin()) {
                    attempt.run();
                }
            }).start();
        }
        return attempt.result;
    }

    /** Called once per attempt by {@link Attempt}: completes the result and delivers it. */
    void finish(PreparedTask task, ProbeResult raw, CompletableFuture<ProbeResult> out) {
        ProbeResult.Builder b = raw.toBuilder()
                .id(Ids.next(raw.startedAt().toEpochMilli()))
                .taskId(task.spec().id()).type(task.spec().type()).target(task.spec().target());
        b.labels(engineLabels).labels(task.spec().labels());
        AssertionOutcome firstFailure = null;
        for (CompiledAssertion a : task.assertions()) {
            AssertionOutcome outcome = a.evaluate(raw);
            b.assertion(outcome);
            if (!outcome.passed() && firstFailure == null) {
                firstFailure = outcome;
            }
        }
        if (firstFailure != null && raw.status() == ProbeStatus.SUCCESS) {
            b.status(ProbeStatus.FAILURE).error(ErrorKind.ASSERTION, "assertion '" + firstFailure.assertion()
                    + "' failed: actual " + (firstFailure.actual() == null ? "missing" : firstFailure.actual()));
        }
        ProbeResult result = b.build();
        completed.increment();
        count(result);
        for (SinkDispatcher sink : sinks) {
            sink.offer(result);
        }
        out.complete(result);
    }

    void release(Attempt attempt) {
        active.remove(attempt);
        if (attempt.permit.getAndSet(false)) {
            permits.release();
        }
    }

    private void count(ProbeResult r) {
        String key = r.type() + '/' + r.status();
        resultCounters.computeIfAbsent(key, k -> Counter.builder("vantage.probe.results")
                .description("Probe results by type and status")
                .tag("type", r.type()).tag("status", r.status().name()).register(registry)).increment();
        durationTimers.computeIfAbsent(r.type(), t -> Timer.builder("vantage.probe.duration")
                .description("Duration of probe attempts").tag("type", t).register(registry))
                .record(r.duration().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Cancels every attempt in flight (engine closing). */
    public void cancelAll(String why) {
        for (Attempt a : List.copyOf(active)) {
            a.cancel(why);
        }
    }

    public int inFlight() {
        return maxConcurrency - permits.availablePermits();
    }

    public int active() {
        return active.size();
    }

    public long started() {
        return started.sum();
    }

    public long completed() {
        return completed.sum();
    }
}
