package dev.vantage.server.results.rollups;

import dev.vantage.server.db.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollups as this replica writes and reads them: the stored bucket rows ({@link RollupStore}) plus what it has
 * counted in memory and not written yet.
 *
 * <p>Storing a result adds nothing to the database but one column: each result a transaction stores carries the id of
 * an open <em>epoch</em> of this replica ({@code results.rollup_epoch}), and once committed it is added to that epoch's
 * minute buckets in memory. Epochs follow the results' minutes: one is open for the current minute of
 * {@code startedAt} and one for the next (opened ahead), and one takes the late results, of minutes already written.
 * A round runs at every multiple of {@code vantage.results.rollups.flush-interval} on the clock, {@link #GRACE} after
 * it (3 s after each minute by default): it opens new epochs, and writes the epochs of minutes that ended at least
 * {@link #GRACE} before and the late epoch, each merged into the minute, hour and day rows in one transaction that
 * deletes their {@code rollup_epochs} rows. A task polled every second thus costs one minute-row insert and one hour-
 * and one day-row update a minute (and an update for a result later than the grace), where writing at each result
 * cost three per result, and writing every ten seconds eight a minute (docs/benchmarks.md).
 *
 * <p>The counting and the deletion commit together, so a row left after a crash says what is missing: its epoch is
 * counted again from the results that carry its id ({@link Recount}). Whoever deletes the row counts it, and a second
 * writer finds it gone: nothing stored is missed, nothing is counted twice. A replica recounts its own leftover epochs
 * when it starts (on H2, the only process, every leftover), and on a shared database also other replicas' epochs left
 * open for {@link #ORPHAN_AFTER}.
 *
 * <p>Reads ({@link #read}) add what is in memory to the stored rows, so this replica's answers are exact at once;
 * another replica sees a minute after the round that writes it.
 */
public final class Rollups implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rollups.class);
    /** An epoch of another replica still open after this long is counted again by whoever finds it (it crashed). */
    public static final Duration ORPHAN_AFTER = Duration.ofMinutes(5);
    /** The longest flush interval: an epoch must be done long before another replica would take it for an orphan. */
    public static final Duration MAX_FLUSH_INTERVAL = Duration.ofMinutes(1);
    /** How long after a minute ends its epoch stays open for results still on their way. */
    public static final Duration GRACE = Duration.ofSeconds(3);
    /**
     * Epochs a minute (and for late results), each taking the tasks of one hash: a transaction writes whole epochs, and
     * a few thousand rows is what H2 commits well beside ingest (a minute of 20,000 tasks and agents in one transaction
     * stalled storing for seconds).
     */
    public static final int SHARDS = 16;
    /** Bucket rows a flush transaction aims at, epochs being its unit. */
    private static final int ROWS_PER_TRANSACTION = 4_000;

    /** Reads what an epoch's results add up to from the results table, on the caller's transaction. */
    @FunctionalInterface
    public interface Recount {
        List<RollupStore.Entry> entries(Connection c, long epoch) throws SQLException;
    }

    /**
     * A storing transaction's hold on the open epochs: tag each row with {@link #epochFor} its start, {@link #add}
     * what committed, then close. No epoch closes while a ticket is held, so every row tagged with one is in its count.
     */
    public final class Ticket implements AutoCloseable {
        private final Open open;
        private boolean held = true;

        private Ticket(Open open) {
            this.open = open;
        }

        /** The epoch a result of {@code taskId} that started at {@code startedAt} belongs to. */
        public long epochFor(String taskId, Instant startedAt) {
            return open.epochFor(taskId, startedAt).id;
        }

        /** Counts results the transaction newly stored; call only after it committed. */
        public void add(List<RollupStore.Entry> entries) {
            for (RollupStore.Entry e : entries) {
                open.epochFor(e.taskId(), e.startedAt()).add(e);
            }
        }

        @Override
        public void close() {
            if (held) {
                held = false;
                closing.readLock().unlock();
            }
        }
    }

    /** Buckets counted in memory at one grain, per task then agent and bucket start. */
    private static final class Buckets {
        final Resolution grain;
        final ConcurrentHashMap<String, ConcurrentHashMap<Bucket, Rollup>> byTask = new ConcurrentHashMap<>();

        Buckets(Resolution grain) {
            this.grain = grain;
        }

        void add(String taskId, String agentId, Instant at, Rollup.Sample sample) {
            // compute holds the bucket's lock: ingest threads adding and readers copying never meet inside a Rollup
            byTask.computeIfAbsent(taskId, k -> new ConcurrentHashMap<>()).compute(
                    new Bucket(agentId, grain.floor(at)), (k, r) -> (r == null ? new Rollup() : r).add(sample));
        }

        /** Adds to {@code sums} the buckets of a task inside {@code [from, to)} at {@code resolution}, by bucket. */
        void sum(Map<Bucket, Rollup> sums, String taskId, String agentId, Resolution resolution, Instant from, Instant to) {
            Map<Bucket, Rollup> buckets = byTask.get(taskId);
            if (buckets == null) {
                return;
            }
            for (Bucket b : buckets.keySet()) {
                Instant start = resolution.floor(b.start());
                if ((agentId == null || agentId.equals(b.agentId())) && !start.isBefore(from) && start.isBefore(to)) {
                    Rollup sum = sums.computeIfAbsent(new Bucket(b.agentId(), start), k -> new Rollup());
                    buckets.computeIfPresent(b, (k, r) -> {
                        sum.merge(r);
                        return r;
                    });
                }
            }
        }

        int size() {
            return byTask.values().stream().mapToInt(Map::size).sum();
        }

        /** Adds the buckets to {@code deltas}, folded into those of {@code resolutions}. */
        void addTo(TreeMap<RollupStore.Key, Rollup> deltas, List<Resolution> resolutions) {
            byTask.forEach((task, buckets) -> buckets.forEach((b, r) -> {
                for (Resolution res : resolutions) {
                    deltas.computeIfAbsent(new RollupStore.Key(task, res, res.floor(b.start()), b.agentId()),
                            k -> new Rollup()).merge(r);
                }
            }));
        }

        void forgetAgent(String agentId) {
            byTask.values().forEach(buckets -> buckets.keySet().removeIf(b -> b.agentId().equals(agentId)));
        }
    }

    /** An epoch whose counts are not written yet. */
    private record Epoch(long id, Buckets minutes) {
        Epoch(long id) {
            this(id, new Buckets(Resolution.MINUTE));
        }

        void add(RollupStore.Entry e) {
            minutes.add(e.taskId(), e.agentId(), e.startedAt(), e.sample());
        }
    }

    private record Bucket(String agentId, Instant start) {
    }

    /**
     * The open epochs, replaced whole by a round, {@link #SHARDS} of each: per minute of {@code startedAt} from the
     * current one on, and for the minutes before (late results).
     */
    private record Open(List<Epoch> late, java.util.NavigableMap<Instant, List<Epoch>> minutes, Instant since) {
        Epoch epochFor(String taskId, Instant startedAt) {
            Map.Entry<Instant, List<Epoch>> e = minutes.floorEntry(Resolution.MINUTE.floor(startedAt));
            // a minute after the last open one (an agent's clock ahead) goes with the last one
            return (e == null ? late : e.getValue()).get(Math.floorMod(taskId.hashCode(), SHARDS));
        }

        boolean holds(Epoch e) {
            return late.contains(e) || minutes.values().stream().anyMatch(shards -> shards.contains(e));
        }

        int size() {
            return late.size() + minutes.size() * SHARDS;
        }
    }

    private final Database db;
    private final RollupStore store;
    private final Recount recount;
    private final Clock clock;
    private final String replica;
    private final Duration flushInterval;
    /** Shared by storing transactions, taken alone to close the open epoch. */
    private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
    /** Shared by reads, taken alone by a flush to commit and drop its epoch: a read never counts an epoch twice. */
    private final ReentrantReadWriteLock flushing = new ReentrantReadWriteLock();
    /** The epochs in memory, open or not written yet. Replaced whole, so a read takes one consistent list. */
    private volatile List<Epoch> epochs;
    /** Replaced whole by a round, under {@link #closing}'s write lock. */
    private volatile Open open;
    private volatile boolean closed;
    private final ScheduledThreadPoolExecutor timer = timer();
    private Instant lastOrphanCheck;
    private final Timer flushTime;
    private final Counter rowsWritten;

    private static ScheduledThreadPoolExecutor timer() {
        var timer = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("rollup-flush").factory());
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() writes what is left itself
        return timer;
    }

    /**
     * Counts the epochs an earlier run left behind, then opens this run's first.
     *
     * @param replica this replica's id
     */
    public Rollups(Database db, RollupStore store, Recount recount, Clock clock, String replica, Duration flushInterval,
                   MeterRegistry registry) {
        this.db = db;
        this.store = store;
        this.recount = recount;
        this.clock = clock;
        this.replica = replica;
        this.flushInterval = flushInterval;
        this.flushTime = Timer.builder("vantage.rollups.flush").description("A round writing closed epochs' counts to the rollups")
                .register(registry);
        this.rowsWritten = Counter.builder("vantage.rollups.rows.written")
                .description("Rollup bucket rows inserted or updated by flushes").register(registry);
        Gauge.builder("vantage.rollups.epochs.unwritten", this, r -> r.epochs.size() - r.open.size())
                .description("Closed epochs still in memory (a flush failed or is running)").register(registry);
        boolean shared = db.isPostgres(); // H2 is embedded: one process, so one replica
        Instant now = clock.instant();
        // alone on the database, every epoch left there is a crashed run's; shared, only this replica's own and the old
        recoverOrphans(shared ? now.minus(ORPHAN_AFTER) : now.plusSeconds(1));
        this.lastOrphanCheck = now;
        this.epochs = List.of();
        rotate(true);
        scheduleRound(shared);
    }

    /** Schedules the next round {@link #GRACE} after the next multiple of the interval on the clock. */
    private void scheduleRound(boolean shared) {
        long interval = flushInterval.toMillis();
        long now = clock.millis();
        long next = Math.floorDiv(now, interval) * interval + GRACE.toMillis() % interval;
        while (next <= now) {
            next += interval;
        }
        try {
            timer.schedule(() -> {
                round(shared);
                if (!closed) {
                    scheduleRound(shared);
                }
            }, next - now, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: close() writes what is left
        }
    }

    /**
     * Holds the open epochs for one storing transaction.
     *
     * @throws IllegalStateException when closed, or when no round opened epochs for twice {@link #MAX_FLUSH_INTERVAL}
     *                               (the database refused new ones): storing now could be counted twice, so it waits
     */
    public Ticket enter() {
        closing.readLock().lock();
        Open now = open;
        if (closed || Duration.between(now.since(), clock.instant()).compareTo(MAX_FLUSH_INTERVAL.multipliedBy(2)) > 0) {
            closing.readLock().unlock();
            throw new IllegalStateException(closed ? "rollups closed" : "rollup epochs not renewed since " + now.since());
        }
        return new Ticket(now);
    }

    /**
     * A task's rollups of one resolution whose buckets start in {@code [from, to)}, by bucket start then agent: the
     * stored rows with what this replica counted since its last flush added.
     *
     * @param agentId only this agent's, or all when {@code null}
     */
    public List<RollupStore.Stored> read(String taskId, String agentId, Resolution resolution, Instant from, Instant to) {
        flushing.readLock().lock();
        try {
            List<RollupStore.Stored> stored = store.read(taskId, agentId, resolution, from, to);
            Map<Bucket, Rollup> pending = new HashMap<>();
            for (Epoch e : epochs) {
                e.minutes().sum(pending, taskId, agentId, resolution, from, to);
            }
            if (pending.isEmpty()) {
                return stored;
            }
            List<RollupStore.Stored> out = new ArrayList<>(stored.size() + pending.size());
            for (RollupStore.Stored s : stored) {
                Rollup more = pending.remove(new Bucket(s.agentId(), s.start()));
                out.add(more == null ? s : new RollupStore.Stored(s.start(), s.agentId(), s.rollup().merge(more)));
            }
            pending.forEach((b, r) -> out.add(new RollupStore.Stored(b.start(), b.agentId(), r)));
            out.sort(java.util.Comparator.comparing(RollupStore.Stored::start).thenComparing(RollupStore.Stored::agentId));
            return out;
        } finally {
            flushing.readLock().unlock();
        }
    }

    /** Forgets what memory holds of an agent whose results and rollups were just deleted. */
    public void forgetAgent(String agentId) {
        for (Epoch e : epochs) {
            e.minutes().forgetAgent(agentId);
        }
    }

    /**
     * Writes now what this replica counted so far (it opens a new epoch and writes the others), for whoever reads
     * the rows directly or through another replica.
     */
    public synchronized void flush() {
        rotate(true);
        flushClosed();
    }

    /**
     * Writes what a round writes: the epochs of minutes that ended (at least half of {@link #GRACE} ago) and the late
     * results; opens their successors.
     */
    public synchronized void flushDue() {
        rotate(false);
        flushClosed();
    }

    /** {@link #flushDue}; on a shared database, now and then counts orphans too. */
    private synchronized void round(boolean shared) {
        try {
            flushDue();
            if (shared && Duration.between(lastOrphanCheck, clock.instant()).compareTo(Duration.ofMinutes(1)) >= 0) {
                lastOrphanCheck = clock.instant();
                recoverOrphans(clock.instant().minus(ORPHAN_AFTER));
            }
        } catch (RuntimeException e) {
            LOG.warn("rollups: {} (tried again in {})", e.toString(), flushInterval);
        }
    }

    /**
     * Opens a new late epoch, and epochs for the current and the next minute where missing; closes the others: all of
     * them when {@code all}, else the late one and those of minutes that ended at least {@link #GRACE} ago.
     */
    private void rotate(boolean all) {
        Instant now = clock.instant();
        Instant current = Resolution.MINUTE.floor(now);
        Open before = open;
        java.util.TreeMap<Instant, List<Epoch>> minutes = new java.util.TreeMap<>();
        if (before != null && !all) {
            // half the grace to spare: a round that fires a little early still closes the minute before
            before.minutes().forEach((m, e) -> {
                if (m.plus(Resolution.MINUTE.size()).plus(GRACE.dividedBy(2)).isAfter(now)) {
                    minutes.put(m, e);
                }
            });
        }
        List<Instant> missing = java.util.stream.Stream.of(current, current.plus(Resolution.MINUTE.size()))
                .filter(m -> !minutes.containsKey(m)).toList();
        List<Epoch> opened = store.openEpochs(replica, now, (missing.size() + 1) * SHARDS).stream().map(Epoch::new).toList();
        for (int i = 0; i < missing.size(); i++) {
            minutes.put(missing.get(i), opened.subList(i * SHARDS, (i + 1) * SHARDS));
        }
        List<Epoch> late = opened.subList(missing.size() * SHARDS, opened.size());
        closing.writeLock().lock(); // waits for the storing transactions that hold the open epochs
        try {
            List<Epoch> list = new ArrayList<>(epochs);
            list.addAll(opened);
            epochs = List.copyOf(list);
            open = new Open(late, java.util.Collections.unmodifiableNavigableMap(minutes), now);
        } finally {
            closing.writeLock().unlock();
        }
    }

    /**
     * Writes every closed epoch, whole epochs together in transactions of about {@link #ROWS_PER_TRANSACTION} rows:
     * each is claimed (its row deleted) and its counts merged into the rows of the resolutions it has unwritten; one
     * that another replica counted meanwhile (it took this one for crashed) is skipped. An epoch whose transaction
     * fails stays in memory (and in reads) for the next round.
     */
    private void flushClosed() {
        Open now = open;
        List<Epoch> closedOnes = closed ? epochs : epochs.stream().filter(e -> !now.holds(e)).toList();
        if (closedOnes.isEmpty()) {
            return;
        }
        Timer.Sample started = Timer.start();
        List<Epoch> group = new ArrayList<>();
        int rows = 0;
        for (Epoch e : closedOnes) {
            group.add(e);
            rows += e.minutes().size() * Resolution.values().length;
            if (rows >= ROWS_PER_TRANSACTION) {
                write(group);
                group.clear();
                rows = 0;
            }
        }
        write(group);
        started.stop(flushTime);
    }

    /** Writes these epochs in one transaction, then drops them from memory. */
    private void write(List<Epoch> written) {
        if (written.isEmpty()) {
            return;
        }
        ReentrantReadWriteLock.WriteLock commit = flushing.writeLock();
        try {
            int rows = db.inTransaction(c -> {
                TreeMap<RollupStore.Key, Rollup> deltas = new TreeMap<>(RollupStore.Key.ORDER);
                for (Epoch e : written) {
                    RollupStore.Claim claim = RollupStore.claimEpoch(c, e.id());
                    if (claim == RollupStore.Claim.GONE) {
                        LOG.warn("rollup epoch {} was counted by another replica meanwhile (it took this one for crashed)",
                                e.id());
                    }
                    e.minutes().addTo(deltas, claim.unwritten());
                }
                RollupStore.merge(c, deltas);
                commit.lock(); // from here to the epochs leaving memory, no read runs: none sees them twice or not at all
                return deltas.size();
            });
            List<Epoch> left = new ArrayList<>(epochs);
            left.removeAll(written);
            epochs = List.copyOf(left);
            rowsWritten.increment(rows);
        } finally {
            if (commit.isHeldByCurrentThread()) {
                commit.unlock();
            }
        }
    }

    /** Counts again, from the results, each epoch a crashed run left open (mine, or opened before {@code before}). */
    private void recoverOrphans(Instant before) {
        recount(store.epochs(replica, before));
    }

    /** Counts epochs again from their results, what of them is not written yet; those already taken are skipped. */
    private void recount(List<Long> ids) {
        for (long id : ids) {
            int[] counted = {0};
            db.inTransaction(c -> {
                RollupStore.Claim claim = RollupStore.claimEpoch(c, id);
                if (claim != RollupStore.Claim.GONE) {
                    List<RollupStore.Entry> entries = recount.entries(c, id);
                    RollupStore.add(c, entries, claim.unwritten());
                    counted[0] = entries.size();
                }
                return null;
            });
            LOG.info("rollup epoch {} not written by its server: {} results counted again", id, counted[0]);
        }
    }

    /** Stops taking results, and writes every epoch in memory. Call after whatever stores results stopped. */
    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            synchronized (this) {
                flushClosed();
            }
        } catch (RuntimeException e) {
            LOG.warn("rollups: {} at shutdown; the next start counts them again from the results", e.toString());
        }
    }
}
