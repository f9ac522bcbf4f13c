package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.EngineClock;
import dev.vantage.probe.engine.TaskSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fixed-rate scheduling of tasks. Each task's runs fall on slots {@code phase + k * interval} of the wall clock,
 * where the phase is a hash of the task id: runs do not drift with execution time, ten thousand tasks with the same
 * interval spread evenly instead of firing together, and a task keeps its slots across restarts and agents.
 * Jitter delays a single run within its slot and never accumulates. A run that is due while the task already has
 * {@code maxInFlight} attempts running is skipped and counted; slots missed because the engine fell behind are
 * skipped, not caught up in a burst.
 */
public final class Scheduler {
    private final EngineClock clock;
    private final TimerQueue timers;
    private final Runner runner;
    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();
    private final Timer lag;
    private final LongAdder skippedInFlight = new LongAdder();
    private final LongAdder missedSlots = new LongAdder();
    private final LongAccumulator maxLagNanos = new LongAccumulator(Math::max, 0);
    private static final int LAUNCH_CHUNK = 256;
    private static final int INLINE_LAUNCH = 8;
    /** With a manual clock, runs start on the thread that advances time, so tests see them start at their slot. */
    private final boolean launchInline;
    /** Runs due in the current timer batch; touched only by the timer thread. */
    private final List<Entry> due = new java.util.ArrayList<>();

    private static final class Entry {
        final PreparedTask task;
        final long intervalNanos;
        final long jitterNanos;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicLong runs = new AtomicLong();
        long slot;
        TimerQueue.Entry timer;
        volatile boolean removed;

        Entry(PreparedTask task) {
            this.task = task;
            this.intervalNanos = task.spec().interval().toNanos();
            this.jitterNanos = task.spec().jitter().toNanos();
        }
    }

    public Scheduler(EngineClock clock, TimerQueue timers, Runner runner, MeterRegistry registry, boolean launchInline) {
        this.launchInline = launchInline;
        this.clock = clock;
        this.timers = timers;
        this.runner = runner;
        this.lag = Timer.builder("vantage.scheduler.lag")
                .description("How late scheduled runs started, by the engine clock")
                .publishPercentiles(0.5, 0.99, 0.999)
                .register(registry);
        registry.gauge("vantage.scheduler.tasks", tasks, Map::size);
        registry.more().counter("vantage.scheduler.skipped", List.of(io.micrometer.core.instrument.Tag.of("reason", "inFlight")),
                skippedInFlight, LongAdder::doubleValue);
        registry.more().counter("vantage.scheduler.skipped", List.of(io.micrometer.core.instrument.Tag.of("reason", "missedSlot")),
                missedSlots, LongAdder::doubleValue);
    }

    /** Adds or replaces a task; a replaced task's running attempts finish, its probe is closed. */
    public void put(PreparedTask task) {
        Entry e = new Entry(task);
        Entry old = tasks.put(task.spec().id(), e);
        if (old != null) {
            retire(old);
        }
        if (task.spec().enabled()) {
            synchronized (e) {
                e.slot = firstSlot(task.spec().id(), e.intervalNanos);
                arm(e);
            }
        }
    }

    public boolean remove(String id) {
        Entry e = tasks.remove(id);
        if (e == null) {
            return false;
        }
        retire(e);
        return true;
    }

    public Collection<TaskSpec> specs() {
        return tasks.values().stream().map(e -> e.task.spec()).toList();
    }

    /** Removes every task (engine closing). */
    public void clear() {
        for (String id : List.copyOf(tasks.keySet())) {
            remove(id);
        }
    }

    private void retire(Entry e) {
        synchronized (e) {
            e.removed = true;
            if (e.timer != null) {
                timers.cancel(e.timer);
            }
        }
        closeQuietly(e.task);
    }

    static void closeQuietly(PreparedTask t) {
        try {
            t.probe().close();
        } catch (RuntimeException ex) {
            org.slf4j.LoggerFactory.getLogger(Scheduler.class).warn("closing probe of task '{}' failed", t.spec().id(), ex);
        }
    }

    /** The first slot at or after now: {@code wall ≡ phase (mod interval)}. */
    private long firstSlot(String id, long interval) {
        long phase = Math.floorMod(hash(id), interval);
        Instant wall = clock.instant();
        // epoch nanoseconds fit in a long until the year 2262
        long wallNanos = Math.floorMod(wall.getEpochSecond() * 1_000_000_000L + wall.getNano(), interval);
        return clock.nanoTime() + Math.floorMod(phase - wallNanos, interval);
    }

    private void arm(Entry e) {
        long jitter = e.jitterNanos > 0 ? ThreadLocalRandom.current().nextLong(e.jitterNanos) : 0;
        long due = e.slot + jitter;
        if (e.timer == null) {
            e.timer = timers.schedule(due, () -> fire(e));
        } else {
            timers.reschedule(e.timer, due); // one entry per task, not one per run: runs make no timer garbage
        }
    }

    private void fire(Entry e) {
        long now = clock.nanoTime();
        synchronized (e) {
            if (e.removed) {
                return;
            }
            long late = now - e.timer.due();
            lag.record(late, TimeUnit.NANOSECONDS);
            maxLagNanos.accumulate(late);
            if (e.inFlight.incrementAndGet() <= e.task.spec().maxInFlight()) {
                e.runs.incrementAndGet();
                if (launchInline) {
                    runner.start(e.task, e.inFlight::decrementAndGet);
                } else {
                    due.add(e);
                }
            } else {
                e.inFlight.decrementAndGet();
                skippedInFlight.increment();
            }
            long next = e.slot + e.intervalNanos;
            if (next <= now) {
                long behind = (now - next) / e.intervalNanos + 1;
                missedSlots.add(behind);
                next += behind * e.intervalNanos;
            }
            e.slot = next;
            arm(e);
        }
    }

    /**
     * Starts the runs that fell due in the last timer batch. The timer thread only does the bookkeeping; starting
     * attempts (a virtual thread each, a deadline, a permit) happens on virtual threads, a chunk each, so that
     * both cores share it and the timer stays on time. Called by the timer thread after each batch.
     */
    public void launchDue() {
        if (due.isEmpty()) {
            return;
        }
        if (due.size() <= INLINE_LAUNCH) {
            // a few runs are cheaper to start here than to wake another thread for
            for (Entry e : due) {
                runner.start(e.task, e.inFlight::decrementAndGet);
            }
            due.clear();
            return;
        }
        List<Entry> batch = List.copyOf(due);
        due.clear();
        for (int from = 0; from < batch.size(); from += LAUNCH_CHUNK) {
            List<Entry> chunk = batch.subList(from, Math.min(batch.size(), from + LAUNCH_CHUNK));
            Thread.ofVirtual().start(() -> {
                for (Entry e : chunk) {
                    runner.start(e.task, e.inFlight::decrementAndGet);
                }
            });
        }
    }

    public long skippedInFlight() {
        return skippedInFlight.sum();
    }

    public long missedSlots() {
        return missedSlots.sum();
    }

    public long maxLagNanos() {
        return maxLagNanos.get();
    }

    public Timer lagTimer() {
        return lag;
    }

    public int size() {
        return tasks.size();
    }

    public boolean contains(String taskId) {
        return tasks.containsKey(taskId);
    }

    /** 64-bit FNV-1a with a final mix, so ids that differ in one character land far apart. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
