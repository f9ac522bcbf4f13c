package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.EngineClock;
import dev.vantage.probe.engine.NameResolver;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs attempts: takes a concurrency permit, starts the probe on a fresh virtual thread, enforces the deadline,
 * then completes the result (id, duration, labels, assertions), counts it and hands it to every sink.
 */
public final class Runner {
    private static final ProbeStatus[] STATUSES = ProbeStatus.values();

    final EngineClock clock;
    final TimerQueue timers;
    final NameResolver resolver;
    /** Volatile: the embedder may replace it while attempts run; each address check reads it afresh. */
    volatile AddressPolicy policy;
    private final Semaphore permits;
    private final int maxConcurrency;
    private final Map<String, String> engineLabels;
    private final List<SinkDispatcher> sinks;
    private final MeterRegistry registry;
    private final ThreadFactory threads = Thread.ofVirtual().name("vantage-probe").factory();
    /** Attempts waiting for a permit; running ones are found through their deadlines in the timer queue. */
    private final Set<Attempt> waiting = ConcurrentHashMap.newKeySet();
    private final Map<String, TypeMeters> meters = new ConcurrentHashMap<>();
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final FollowUpRunner followUps;

    /** Runs the follow-ups of a failed attempt (the engine prepares them); null when there are none. */
    @FunctionalInterface
    public interface FollowUpRunner {
        CompletableFuture<List<ProbeResult>> run(TaskSpec task, ProbeResult failed);
    }

    /** Meters of one probe type, looked up once per type rather than by tags on every result. */
    private final class TypeMeters {
        final Counter[] results = new Counter[STATUSES.length];
        final Timer duration;

        TypeMeters(String type) {
            for (ProbeStatus s : STATUSES) {
                results[s.ordinal()] = Counter.builder("vantage.probe.results").description("Probe results by type and status")
                        .tag("type", type).tag("status", s.name()).register(registry);
            }
            duration = Timer.builder("vantage.probe.attempt.duration").description("Duration of probe attempts, by type")
                    .tag("type", type).register(registry);
        }
    }

    public Runner(EngineClock clock, TimerQueue timers, NameResolver resolver, AddressPolicy policy, int maxConcurrency,
                  Map<String, String> engineLabels, List<SinkDispatcher> sinks, MeterRegistry registry,
                  FollowUpRunner followUps) {
        this.followUps = followUps;
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

    /** Replaces the address policy; the next address check of any attempt uses it. */
    public void policy(AddressPolicy policy) {
        this.policy = policy;
    }

    public AddressPolicy policy() {
        return policy;
    }

    /**
     * Starts one attempt of {@code task}. When a permit is free the attempt's clock starts on the calling thread,
     * so a scheduled run starts exactly at its slot (in virtual time too).
     *
     * @param onDone runs once when the attempt ends, whatever the outcome
     */
    public CompletableFuture<ProbeResult> start(PreparedTask task, Runnable onDone) {
        Attempt attempt = new Attempt(this, task, onDone);
        started.increment();
        if (task.ready().isDone() && permits.tryAcquire()) {
            attempt.permit.set(true);
            attempt.begin();
            threads.newThread(attempt::probe).start();
        } else {
            waiting.add(attempt);
            threads.newThread(() -> {
                try {
                    awaitWarmUp(task);
                    permits.acquire();
                } catch (InterruptedException e) {
                    attempt.cancel("engine closed before the attempt started");
                    return;
                } finally {
                    waiting.remove(attempt);
                }
                attempt.permit.set(true);
                if (attempt.isFinished() && attempt.permit.getAndSet(false)) {
                    permits.release(); // it was cancelled while we waited
                    return;
                }
                if (attempt.begin()) {
                    attempt.probe();
                }
            }).start();
        }
        return attempt.result;
    }

    /** A warm-up that has not finished by then is left running: attempts go ahead and pay the cost themselves. */
    private static final long WARM_UP_WAIT_SECONDS = 30;

    private static void awaitWarmUp(PreparedTask task) throws InterruptedException {
        try {
            task.ready().get(WARM_UP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the engine logged it (or it is still running); the attempt goes ahead
        }
    }

    /**
     * Called once per attempt by {@link Attempt}: completes the result and delivers it.
     *
     * @param elapsed the attempt's duration by the engine's clock, used when the probe did not set one
     */
    void finish(PreparedTask task, ProbeResult raw, Duration elapsed, CompletableFuture<ProbeResult> out) {
        Duration total = raw.duration().isZero() ? elapsed : raw.duration();
        // one copy of the probe's result carries everything the engine adds
        ProbeResult.Builder b = raw.toBuilder().duration(total)
                .id(Ids.next(raw.startedAt().toEpochMilli()))
                .taskId(task.spec().id()).type(task.spec().type()).target(task.spec().target());
        b.labels(engineLabels).labels(task.spec().labels());
        AssertionOutcome firstFailure = null;
        for (CompiledAssertion a : task.assertions()) {
            AssertionOutcome outcome = a.evaluate(raw, total);
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
        TypeMeters m = meters.computeIfAbsent(result.type(), TypeMeters::new);
        m.results[result.status().ordinal()].increment();
        m.duration.record(total.toNanos(), TimeUnit.NANOSECONDS);
        if (task.followUp()) {
            out.complete(result);
            return;
        }
        CompletableFuture<List<ProbeResult>> more = failed(result) ? followUps.run(task.spec(), result) : null;
        if (more == null) {
            deliver(result, out);
        } else {
            // the attempt's slot and permit are already released: the task's schedule goes on meanwhile
            more.whenComplete((list, e) -> deliver(e != null || list.isEmpty() ? result
                    : result.toBuilder().followUps(list).build(), out));
        }
    }

    /** Failures worth a follow-up: not a success, and not an attempt cut short by the engine closing. */
    private static boolean failed(ProbeResult r) {
        return r.status() != ProbeStatus.SUCCESS
                && (r.error() == null || r.error().kind() != ErrorKind.CANCELLED);
    }

    private void deliver(ProbeResult result, CompletableFuture<ProbeResult> out) {
        for (SinkDispatcher sink : sinks) {
            sink.offer(result);
        }
        out.complete(result);
    }

    void release(Attempt attempt) {
        if (attempt.permit.getAndSet(false)) {
            permits.release();
        }
    }

    /** Cancels every attempt in flight or waiting (engine closing); call after scheduling has stopped. */
    public void cancelAll(String why) {
        for (Runnable deadline : timers.drain()) {
            if (deadline instanceof Attempt a) {
                a.cancel(why);
            }
        }
        for (Attempt a : List.copyOf(waiting)) {
            a.cancel(why);
        }
    }

    public int inFlight() {
        return maxConcurrency - permits.availablePermits();
    }

    public long started() {
        return started.sum();
    }

    public long completed() {
        return completed.sum();
    }
}
