package dev.vantage.probe.engine.internal;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one task: the {@link ProbeContext} the probe sees, and the once-only finish that whichever
 * comes first (the probe's result, its exception, the deadline, cancellation) wins.
 */
final class Attempt implements ProbeContext, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);

    private final Runner runner;
    private final PreparedTask task;
    private final Runnable onDone;
    final java.util.concurrent.CompletableFuture<ProbeResult> result = new java.util.concurrent.CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Whether this attempt holds a concurrency permit; exactly one of launch and finish releases it. */
    final AtomicBoolean permit = new AtomicBoolean();
    private final List<Runnable> cancelCallbacks = new ArrayList<>(2);
    private volatile boolean cancelled;
    private volatile Thread runningThread;
    private long startNanos;
    private long deadlineNanos;
    /** The deadline probes see: a little before the cut-off, so a probe that honours it reports its own result. */
    private long probeDeadlineNanos;
    private volatile Instant startedAt;
    private TimerQueue.Entry deadlineEntry;

    Attempt(Runner runner, PreparedTask task, Runnable onDone) {
        this.runner = runner;
        this.task = task;
        this.onDone = onDone;
    }

    /**
     * Starts the clock once a concurrency permit is held: records the start and arms the deadline. Called on the
     * launching thread when a permit was free (so a scheduled run starts exactly at its slot, also in virtual time),
     * else on the attempt's thread after the wait.
     *
     * @return false if the attempt was cancelled meanwhile
     */
    boolean begin() {
        startNanos = runner.clock.nanoTime();
        startedAt = runner.clock.instant();
        long timeout = task.spec().timeout().toNanos();
        deadlineNanos = startNanos + timeout;
        probeDeadlineNanos = deadlineNanos - task.deadlineMarginNanos();
        synchronized (this) {
            if (finished.get()) {
                return false;
            }
            deadlineEntry = runner.timers.scheduleDeferred(deadlineNanos, this); // runs expire(); close finds attempts by it
            return true;
        }
    }

    /** Runs the probe on the attempt's own virtual thread, after {@link #begin()}. */
    void probe() {
        runningThread = Thread.currentThread();
        try {
            task.probe().run(this).whenComplete(this::complete);
        } catch (Throwable t) {
            complete(null, t);
        } finally {
            runningThread = null;
            Thread.interrupted(); // an interrupt aimed at the probe must not leak into the engine's code
        }
    }

    boolean isFinished() {
        return finished.get();
    }

    private void complete(ProbeResult r, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof ProbeException pe) {
                finish(newResult().error(pe.toError()).build());
            } else {
                if (!finished.get()) {
                    LOG.warn("probe {} for task '{}' threw", task.spec().type(), task.spec().id(), cause);
                }
                finish(newResult().error(ErrorKind.INTERNAL, "probe failed: " + cause).build());
            }
        } else if (r == null) {
            finish(newResult().error(ErrorKind.INTERNAL, "probe returned no result").build());
        } else {
            finish(r);
        }
    }

    /** The deadline fired (this attempt is the timer queue's action for its deadline). */
    @Override
    public void run() {
        expire();
    }

    private void expire() {
        if (finish(newResult().error(ErrorKind.TIMEOUT, "no result within " + format(task.spec().timeout()))
                .duration(task.spec().timeout()).build())) {
            cancelProbe();
        }
    }

    /** Ends the attempt as cancelled (task removed, engine closing). */
    void cancel(String why) {
        if (finish(newResult().error(ErrorKind.CANCELLED, why).build())) {
            cancelProbe();
        }
    }

    private boolean finish(ProbeResult r) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        synchronized (this) {
            if (deadlineEntry != null) {
                runner.timers.cancel(deadlineEntry);
            }
        }
        // the permit goes back before the result is delivered, so a waiting attempt can start meanwhile
        runner.release(this);
        onDone.run();
        runner.finish(task, r, Duration.ofNanos(startedAt == null ? 0 : elapsed()), result);
        return true;
    }

    private void cancelProbe() {
        List<Runnable> callbacks;
        synchronized (cancelCallbacks) {
            cancelled = true;
            callbacks = List.copyOf(cancelCallbacks);
            cancelCallbacks.clear();
        }
        for (Runnable cb : callbacks) {
            runCallback(cb);
        }
        Thread t = runningThread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void runCallback(Runnable cb) {
        try {
            cb.run();
        } catch (RuntimeException e) {
            LOG.warn("cancel callback of probe {} threw", task.spec().type(), e);
        }
    }

    private long elapsed() {
        return runner.clock.nanoTime() - startNanos;
    }

    private static String format(Duration d) {
        return dev.vantage.probe.engine.Durations.format(d);
    }

    // ---- ProbeContext ----

    @Override
    public String taskId() {
        return task.spec().id();
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public Instant deadline() {
        return startedAt.plusNanos(probeDeadlineNanos - startNanos);
    }

    @Override
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, probeDeadlineNanos - runner.clock.nanoTime()));
    }

    @Override
    public boolean isCancelled() {
        return cancelled || finished.get() || runner.clock.nanoTime() >= probeDeadlineNanos;
    }

    @Override
    public void onCancel(Runnable callback) {
        synchronized (cancelCallbacks) {
            if (!cancelled) {
                cancelCallbacks.add(callback);
                return;
            }
        }
        runCallback(callback);
    }

    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    @Override
    public List<InetAddress> resolve(String host) throws ProbeException {
        if (isCancelled()) {
            throw new ProbeException(ErrorKind.TIMEOUT, "deadline passed before resolving '" + host + "'");
        }
        if (Cidr.ambiguousHost(host)) {
            // never handed to the JDK, which reads 0177.0.0.1 as 177.0.0.1 where the author (and curl) meant 127.0.0.1
            throw new ProbeException(ErrorKind.POLICY, "'" + host + "' is an ambiguous numeric address: write IPv4 as"
                    + " four decimal numbers without leading zeros");
        }
        try {
            List<InetAddress> addresses;
            if (host.indexOf(':') >= 0 || IPV4_LITERAL.matcher(host).matches()) {
                addresses = runner.resolver.resolve(host); // a literal: parsed, never looked up
            } else {
                addresses = lookUpWithinDeadline(host);
            }
            if (addresses.isEmpty()) {
                throw new UnknownHostException("no addresses");
            }
            return addresses;
        } catch (UnknownHostException e) {
            throw new ProbeException(ErrorKind.DNS, "cannot resolve '" + host + "'"
                    + (e.getMessage() == null || e.getMessage().equals(host) ? "" : ": " + e.getMessage()), e);
        }
    }

    /**
     * A resolver may block far longer than the attempt has (the JDK's waits out every DNS server's timeout): the
     * lookup runs on a virtual thread of its own and the probe stops waiting at its deadline, so that a slow DNS
     * server is reported as such rather than as the engine's bare cut-off.
     */
    private List<InetAddress> lookUpWithinDeadline(String host) throws UnknownHostException, ProbeException {
        CompletableFuture<List<InetAddress>> lookup = new CompletableFuture<>();
        Thread.ofVirtual().name("vantage-resolve").start(() -> {
            try {
                lookup.complete(runner.resolver.resolve(host));
            } catch (Throwable t) {
                lookup.completeExceptionally(t);
            }
        });
        try {
            return lookup.get(remaining().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ProbeException(ErrorKind.TIMEOUT, "resolving '" + host + "' took longer than the deadline allows");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException(ErrorKind.CANCELLED, "cancelled while resolving '" + host + "'");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException u) {
                throw u;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void checkAddress(InetSocketAddress address) throws ProbeException {
        var refusal = runner.policy.check(address);
        if (refusal.isPresent()) {
            throw new ProbeException(ErrorKind.POLICY, "refused by address policy: " + refusal.get());
        }
    }

    @Override
    public ProbeResult.Builder newResult() {
        return ProbeResult.builder().taskId(task.spec().id()).type(task.spec().type()).target(task.spec().target())
                .startedAt(startedAt == null ? runner.clock.instant() : startedAt);
    }
}
