package dev.vantage.server.results.rollups;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.json.JsonMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rollups of results per task, agent, {@link Resolution} and bucket ({@code result_rollups}, migration V11).
 *
 * <p>Storing results only queues them ({@link #queue}: a narrow row in {@code rollup_pending}, in the storing
 * transaction, for the results that transaction newly inserted: a duplicate is never queued, a rolled-back batch
 * leaves no trace). {@link #flush} later moves a batch of queued results into the bucket rows, in one transaction that
 * also deletes exactly the rows it added: a result is counted once whatever crashes, and a bucket row is rewritten
 * once a flush instead of once a result (three rows with their sketches per result was most of ingest's cost).
 * {@link #read} merges the queued results into the stored rollups in one statement, so reads are exact at once.
 *
 * <p>One flush at a time across replicas (the {@code rollup_flush} row is locked for its transaction; a replica that
 * finds it locked leaves the round to the other). Within a
 * flush each bucket row is inserted if new, else locked ({@code SELECT ... FOR UPDATE}), merged in Java and updated,
 * rows taken in one fixed order ({@link #locked}), so the flush cannot deadlock with the V12 backfill or a deletion.
 */
public final class RollupStore {
    private static final TypeReference<Map<String, Long>> COUNTS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Double>> PHASES = new TypeReference<>() {
    };
    private static final String COLUMNS = "total, successes, failures, timeouts, errors, error_kinds, latency_min,"
            + " latency_max, latency_sum, loss_sum, loss_count, sketches";
    private static final String KEY = "task_id = ? AND resolution = ? AND bucket_start = ? AND agent_id = ?";
    /** Most existing buckets read and locked by one statement: 4 parameters each, PostgreSQL takes 32,767. */
    private static final int LOCK_CHUNK = 8_000;

    /** One newly stored result of a task from an agent. */
    public record Entry(String resultId, String taskId, String agentId, Instant startedAt, Rollup.Sample sample) {
    }

    /** A stored rollup: the bucket it covers and the agent it counts. */
    public record Stored(Instant start, String agentId, Rollup rollup) {
    }

    private record Key(String taskId, Resolution resolution, Instant start, String agentId) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::taskId).thenComparing(Key::resolution)
                .thenComparing(Key::start).thenComparing(Key::agentId);
    }

    /** How long after a minute ends its results are flushed: the results still on their way then are few. */
    static final Duration CLOSE_AFTER = Duration.ofSeconds(5);
    private static final int DELETE_CHUNK = 1_000;

    private final Database db;
    private final Clock clock;

    public RollupStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Queues newly stored results for the rollups, on the caller's connection and transaction (the one storing them).
     */
    public static void queue(Connection c, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Rollup.Sample s = e.sample();
            rows.add(new Object[] {e.resultId(), e.taskId(), e.agentId(), e.startedAt(), s.status(), s.errorKind(),
                    s.latencyMs(), s.lossPercent(), s.phasesMs().isEmpty() ? null : JsonMapping.write(s.phasesMs())});
        }
        Sql.insertAll(c, "INSERT INTO rollup_pending (result_id, task_id, agent_id, started_at, status, error_kind,"
                + " latency_ms, loss_percent, phases) VALUES", rows);
    }

    /**
     * Moves up to {@code max} queued results of closed minutes into the rollups, in one transaction; does nothing
     * while a flush runs elsewhere (another replica's). A minute is closed {@link #CLOSE_AFTER} after it
     * ends: a bucket row is then written once with all of its minute's results (and its hour's and day's rows once
     * a minute), not once a flush; the results of the minute still open stay queued (reads merge them).
     *
     * @return how many were moved: fewer than {@code max} when no closed minute's result is left (as far as this
     *         flush saw)
     */
    public int flush(int max) {
        Instant closed = Resolution.MINUTE.floor(clock.instant().minus(CLOSE_AFTER));
        return db.inTransaction(c -> {
            if (Sql.query(c, "SELECT id FROM rollup_flush WHERE id = 1 FOR UPDATE SKIP LOCKED", rs -> 1).isEmpty()) {
                return 0; // another replica is flushing: its turn, not a wait (which could outlast a statement timeout)
            }
            // in key order: a batch holds whole keys (a bucket row written once), and the index gives that order
            List<Entry> queued = Sql.query(c, "SELECT * FROM rollup_pending WHERE started_at < ?"
                    + " ORDER BY task_id, agent_id, started_at LIMIT ?", rs -> new Entry(rs.getString("result_id"),
                    rs.getString("task_id"), rs.getString("agent_id"), Sql.instant(rs, "started_at"),
                    new Rollup.Sample(rs.getString("status"), rs.getString("error_kind"), rs.getDouble("latency_ms"),
                            Sql.nullableDouble(rs, "loss_percent"), phases(rs.getString("phases")))), closed, max);
            add(c, queued);
            // exactly the rows added (not "all before the cutoff": a late one committed meanwhile was not added);
            // an IN list of parameters, which both databases look up by key (H2 scans for "= ANY (array)")
            for (int from = 0; from < queued.size(); from += DELETE_CHUNK) {
                List<Entry> chunk = queued.subList(from, Math.min(queued.size(), from + DELETE_CHUNK));
                Sql.update(c, "DELETE FROM rollup_pending WHERE result_id IN (" + "?, ".repeat(chunk.size() - 1)
                        + "?)", chunk.stream().map(Entry::resultId).toArray());
            }
            return queued.size();
        });
    }

    /** Adds results to the rollups of every resolution, on the caller's connection and transaction. */
    public static void add(Connection c, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        TreeMap<Key, Rollup> deltas = new TreeMap<>(Key.ORDER);
        for (Entry e : entries) {
            for (Resolution r : Resolution.values()) {
                deltas.computeIfAbsent(new Key(e.taskId(), r, r.floor(e.startedAt()), e.agentId()), k -> new Rollup())
                        .add(e.sample());
            }
        }
        List<Key> keys = new ArrayList<>(deltas.keySet());
        List<Object[]> updates = new ArrayList<>();
        if (!c.getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
            // H2 runs ON CONFLICT by catching a duplicate-key error, dear when most buckets exist (a minute's bucket
            // takes every result of that minute): read and lock the existing buckets first, insert only the others
            Map<Key, Rollup> found = lockedOneByOne(c, keys, false);
            List<Key> missing = keys.stream().filter(k -> !found.containsKey(k)).toList();
            found.putAll(lockedOneByOne(c, insertNew(c, missing, deltas), true)); // inserted meanwhile by another
            found.forEach((k, stored) -> updates.add(concat(columns(stored.merge(deltas.get(k))), key(k))));
        } else {
            List<Key> existing = insertNew(c, keys, deltas);
            for (int from = 0; from < existing.size(); from += LOCK_CHUNK) {
                List<Key> chunk = existing.subList(from, Math.min(existing.size(), from + LOCK_CHUNK));
                for (Map.Entry<Key, Rollup> e : locked(c, chunk).entrySet()) {
                    updates.add(concat(columns(e.getValue().merge(deltas.get(e.getKey()))), key(e.getKey())));
                }
            }
        }
        if (updates.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE result_rollups SET total = ?, successes = ?, failures = ?,"
                + " timeouts = ?, errors = ?, error_kinds = ?, latency_min = ?, latency_max = ?, latency_sum = ?,"
                + " loss_sum = ?, loss_count = ?, sketches = ? WHERE " + KEY)) {
            for (Object[] u : updates) {
                Sql.bind(ps, u);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Inserts the buckets of {@code keys} as they are in {@code deltas}; on a conflict (the bucket exists) the
     * statement does nothing. Returns the keys that were not inserted, in order.
     */
    private static List<Key> insertNew(Connection c, List<Key> keys, Map<Key, Rollup> deltas) throws SQLException {
        List<Key> existing = new ArrayList<>();
        if (keys.isEmpty()) {
            return existing;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO result_rollups (task_id, resolution, bucket_start,"
                + " agent_id, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Key k : keys) {
                Sql.bind(ps, concat(key(k), columns(deltas.get(k))));
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    existing.add(keys.get(i));
                } else if (counts[i] != 1) { // a driver that batches rows blindly would make us count twice
                    throw new SQLException("cannot tell whether a rollup row was inserted: " + counts[i]);
                }
            }
        }
        return existing;
    }

    /**
     * Reads and locks the rows of {@code keys} in one statement. Its {@code ORDER BY} is the order every writer locks
     * in, so two cannot deadlock (a transaction with more than {@link #LOCK_CHUNK} existing buckets takes them in
     * several statements and could; PostgreSQL would then abort one, whose batch is sent again).
     */
    private static Map<Key, Rollup> locked(Connection c, List<Key> keys) throws SQLException {
        String rows = ", (?, ?, ?, ?)".repeat(keys.size()).substring(2);
        Object[] params = keys.stream().flatMap(k -> java.util.Arrays.stream(key(k))).toArray();
        Map<Key, Rollup> found = new java.util.HashMap<>();
        for (Map.Entry<Key, Rollup> e : Sql.query(c, "SELECT task_id, resolution, bucket_start, agent_id, " + COLUMNS
                + " FROM result_rollups WHERE (task_id, resolution, bucket_start, agent_id) IN (" + rows + ")"
                + " ORDER BY task_id, resolution, bucket_start, agent_id FOR UPDATE", rs -> Map.entry(
                new Key(rs.getString("task_id"), Resolution.ofLabel(rs.getString("resolution")),
                        Sql.instant(rs, "bucket_start"), rs.getString("agent_id")), rollup(rs)), params)) {
            found.put(e.getKey(), e.getValue());
        }
        if (found.size() != keys.size()) {
            throw new IllegalStateException("rollup rows vanished: " + keys.size() + " expected, " + found.size() + " found");
        }
        return found;
    }

    /**
     * {@link #locked} for H2, whose row-value {@code IN} list scans the table instead of using the key: a statement a
     * bucket, by primary key, in the keys' order (the order every writer locks in); a missing bucket is an error only
     * when {@code mustExist}.
     */
    private static Map<Key, Rollup> lockedOneByOne(Connection c, List<Key> keys, boolean mustExist)
            throws SQLException {
        Map<Key, Rollup> found = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM result_rollups WHERE " + KEY
                + " FOR UPDATE")) {
            for (Key k : keys) {
                Sql.bind(ps, key(k));
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        found.put(k, rollup(rs));
                    } else if (mustExist) {
                        throw new IllegalStateException("rollup row vanished: " + k);
                    }
                }
            }
        }
        return found;
    }

    /**
     * A task's rollups of one resolution whose buckets start in {@code [from, to)}, by bucket start then agent, with
     * the results still queued merged in. One statement reads both tables, so a flush committing meanwhile is seen
     * wholly or not at all (no result counted twice or missed).
     *
     * @param agentId only this agent's, or all when {@code null}
     */
    public List<Stored> read(String taskId, String agentId, Resolution resolution, Instant from, Instant to) {
        String agent = agentId == null ? "" : " AND agent_id = ?";
        // a queued result belongs to [from, to) when its bucket does: floor(startedAt) in [from, to)
        List<Object> params = new ArrayList<>(List.of(taskId, resolution.label(), from, to));
        if (agentId != null) {
            params.add(agentId);
        }
        params.addAll(List.of(taskId, resolution.ceil(from), resolution.ceil(to)));
        if (agentId != null) {
            params.add(agentId);
        }
        String nothing = "CAST(NULL AS VARCHAR(32)) AS status, CAST(NULL AS VARCHAR(32)) AS error_kind,"
                + " CAST(NULL AS DOUBLE PRECISION) AS latency_ms, CAST(NULL AS DOUBLE PRECISION) AS loss_percent,"
                + " CAST(NULL AS TEXT) AS phases";
        String none = "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),"
                + " CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS DOUBLE PRECISION),"
                + " CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS DOUBLE PRECISION),"
                + " CAST(NULL AS BIGINT), CAST(NULL AS BYTEA)";
        TreeMap<Key, Rollup> merged = new TreeMap<>(Key.ORDER);
        db.withConnection(c -> Sql.query(c, "SELECT bucket_start AS t, agent_id, " + COLUMNS + ", " + nothing
                + " FROM result_rollups WHERE task_id = ? AND resolution = ? AND bucket_start >= ? AND bucket_start < ?"
                + agent + " UNION ALL SELECT started_at, agent_id, " + none + ", status, error_kind, latency_ms,"
                + " loss_percent, phases FROM rollup_pending WHERE task_id = ? AND started_at >= ? AND started_at < ?"
                + agent, rs -> {
                    String status = rs.getString("status");
                    Instant t = Sql.instant(rs, "t");
                    Key k = new Key(taskId, resolution, resolution.floor(t), rs.getString("agent_id"));
                    Rollup r = merged.computeIfAbsent(k, x -> new Rollup());
                    if (status == null) {
                        r.merge(rollup(rs));
                    } else {
                        r.add(new Rollup.Sample(status, rs.getString("error_kind"), rs.getDouble("latency_ms"),
                                Sql.nullableDouble(rs, "loss_percent"), phases(rs.getString("phases"))));
                    }
                    return 1;
                }, params.toArray()));
        // one task and resolution: the keys' order is by bucket start, then agent
        return merged.entrySet().stream().map(e -> new Stored(e.getKey().start(), e.getKey().agentId(), e.getValue()))
                .toList();
    }

    /**
     * Deletes every rollup of an agent, and its queued results, on the caller's transaction (with its results); waits
     * for a running flush, which could otherwise add the agent's queued results back.
     */
    public static int deleteAgent(Connection c, String agentId) throws SQLException {
        Sql.query(c, "SELECT id FROM rollup_flush WHERE id = 1 FOR UPDATE", rs -> 1);
        Sql.update(c, "DELETE FROM rollup_pending WHERE agent_id = ?", agentId);
        return Sql.update(c, "DELETE FROM result_rollups WHERE agent_id = ?", agentId);
    }

    private static Map<String, Double> phases(String json) throws SQLException {
        try {
            return json == null ? Map.of() : JsonMapping.MAPPER.readValue(json, PHASES);
        } catch (java.io.IOException e) {
            throw new SQLException("unreadable phases of a queued result", e);
        }
    }

    private static Object[] key(Key k) {
        return new Object[] {k.taskId(), k.resolution().label(), k.start(), k.agentId()};
    }

    private static Object[] columns(Rollup r) {
        return new Object[] {r.total(), r.successes(), r.failures(), r.timeouts(), r.errors(),
                JsonMapping.write(new TreeMap<>(r.errorKinds())), r.latencyMin(), r.latencyMax(), r.latencySum(),
                r.lossSum(), r.lossCount(), r.encodeSketches()};
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static Rollup rollup(ResultSet rs) throws SQLException {
        Map<String, Long> kinds;
        try {
            kinds = JsonMapping.MAPPER.readValue(rs.getString("error_kinds"), COUNTS);
        } catch (java.io.IOException e) {
            throw new SQLException("unreadable error_kinds of a rollup", e);
        }
        return Rollup.of(rs.getLong("total"), rs.getLong("successes"), rs.getLong("failures"), rs.getLong("timeouts"),
                rs.getLong("errors"), kinds, Sql.nullableDouble(rs, "latency_min"), Sql.nullableDouble(rs, "latency_max"),
                rs.getDouble("latency_sum"), rs.getDouble("loss_sum"), rs.getLong("loss_count"), rs.getBytes("sketches"));
    }
}
