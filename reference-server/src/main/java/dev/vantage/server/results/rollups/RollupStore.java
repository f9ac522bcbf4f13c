package dev.vantage.server.results.rollups;

import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.json.JsonMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rollups of results per task, agent, {@link Resolution} and bucket ({@code result_rollups}, migration V11).
 *
 * <p>{@link #add} runs inside the transaction that stores the results, with only the results that transaction newly
 * inserted: a duplicate (a resent result, or the same result stored by another replica) is never counted, a late
 * result lands in its old bucket, and a rolled-back batch leaves no trace. Concurrent writers (ingest threads, other
 * replicas) meet on the rows' locks: each bucket row is inserted if new, else locked ({@code SELECT ... FOR UPDATE}),
 * merged in Java and updated. Rows are locked by one ordered statement ({@link #locked}), so two writers cannot
 * deadlock on them: a writer that finds a row another one inserted waits for that one to commit before it locks
 * anything else.
 */
public final class RollupStore {
    private static final String COLUMNS = "total, successes, failures, timeouts, errors, error_kinds, latency_min,"
            + " latency_max, latency_sum, loss_sum, loss_count, sketches";
    private static final String KEY = "task_id = ? AND resolution = ? AND bucket_start = ? AND agent_id = ?";
    /** Most existing buckets read and locked by one statement: 4 parameters each, PostgreSQL takes 32,767. */
    private static final int LOCK_CHUNK = 8_000;

    /** One newly stored result of a task from an agent. */
    public record Entry(String taskId, String agentId, Instant startedAt, Rollup.Sample sample) {
    }

    /** A stored rollup: the bucket it covers and the agent it counts. */
    public record Stored(Instant start, String agentId, Rollup rollup) {
    }

    /** A bucket row's key. {@link #ORDER} is the order writers lock rows in. */
    public record Key(String taskId, Resolution resolution, Instant start, String agentId) {
        public static final Comparator<Key> ORDER = Comparator.comparing(Key::taskId).thenComparing(Key::resolution)
                .thenComparing(Key::start).thenComparing(Key::agentId);
    }

    private final Database db;

    public RollupStore(Database db) {
        this.db = db;
    }

    /** Adds results to the rollups of every resolution, on the caller's connection and transaction. */
    public static void add(Connection c, List<Entry> entries) throws SQLException {
        add(c, entries, List.of(Resolution.values()));
    }

    /** Adds results to the rollups of {@code resolutions}, on the caller's connection and transaction. */
    public static void add(Connection c, List<Entry> entries, List<Resolution> resolutions) throws SQLException {
        TreeMap<Key, Rollup> deltas = new TreeMap<>(Key.ORDER);
        for (Entry e : entries) {
            for (Resolution r : resolutions) {
                deltas.computeIfAbsent(new Key(e.taskId(), r, r.floor(e.startedAt()), e.agentId()), k -> new Rollup())
                        .add(e.sample());
            }
        }
        merge(c, deltas);
    }

    /**
     * Adds each delta to its bucket row (inserted when new), on the caller's connection and transaction, locking the
     * rows in {@link Key#ORDER}.
     */
    public static void merge(Connection c, java.util.SortedMap<Key, Rollup> deltas) throws SQLException {
        if (deltas.isEmpty()) {
            return;
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
    private static List<Key> insertNew(Connection c, List<Key> keys, java.util.SortedMap<Key, Rollup> deltas) throws SQLException {
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
     * A task's rollups of one resolution whose buckets start in {@code [from, to)}, by bucket start then agent.
     *
     * @param agentId only this agent's, or all when {@code null}
     */
    public List<Stored> read(String taskId, String agentId, Resolution resolution, Instant from, Instant to) {
        StringBuilder sql = new StringBuilder("SELECT bucket_start, agent_id, " + COLUMNS + " FROM result_rollups"
                + " WHERE task_id = ? AND resolution = ? AND bucket_start >= ? AND bucket_start < ?");
        List<Object> params = new ArrayList<>(List.of(taskId, resolution.label(), from, to));
        if (agentId != null) {
            sql.append(" AND agent_id = ?");
            params.add(agentId);
        }
        sql.append(" ORDER BY bucket_start, agent_id");
        return db.query(sql.toString(), rs -> new Stored(Sql.instant(rs, "bucket_start"), rs.getString("agent_id"),
                rollup(rs)), params.toArray());
    }

    /** Records {@code n} new accumulation epochs of {@code replica} ({@link Rollups}) in one transaction; answers their ids. */
    public List<Long> openEpochs(String replica, Instant openedAt, int n) {
        return db.inTransaction(c -> {
            List<Long> ids = new ArrayList<>(n);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollup_epochs (replica, opened_at) VALUES (?, ?)",
                    java.sql.Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < n; i++) {
                    Sql.bind(ps, replica, openedAt);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        ids.add(keys.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    /** What of an epoch is still to write, as {@link #claimEpoch} finds it. */
    public enum Claim {
        /** Gone: another writer counted it already. */
        GONE(List.of()),
        /** Nothing written yet. */
        WHOLE(List.of(Resolution.values())),
        /**
         * Its minutes are written, its hours and days are not: left by a crashed server of the version that wrote
         * them in two steps (column {@code minutes_written}, migration V23); this version writes all in one.
         */
        COARSE(List.of(Resolution.HOUR, Resolution.DAY));

        private final List<Resolution> unwritten;

        Claim(List<Resolution> unwritten) {
            this.unwritten = unwritten;
        }

        public List<Resolution> unwritten() {
            return unwritten;
        }
    }

    /**
     * Takes an epoch for the caller's transaction to count what it has unwritten: locks and deletes its row, which
     * makes the counting and the "done" mark commit together.
     */
    public static Claim claimEpoch(Connection c, long epoch) throws SQLException {
        List<Boolean> minutes = Sql.query(c, "SELECT minutes_written FROM rollup_epochs WHERE id = ? FOR UPDATE",
                rs -> rs.getBoolean(1), epoch);
        if (minutes.isEmpty() || Sql.update(c, "DELETE FROM rollup_epochs WHERE id = ?", epoch) != 1) {
            return Claim.GONE;
        }
        return minutes.getFirst() ? Claim.COARSE : Claim.WHOLE;
    }

    /** Epochs still to count that are {@code replica}'s or were opened before {@code openedBefore}, oldest first. */
    public List<Long> epochs(String replica, Instant openedBefore) {
        return db.query("SELECT id FROM rollup_epochs WHERE replica = ? OR opened_at < ? ORDER BY id",
                rs -> rs.getLong(1), replica, openedBefore);
    }

    /** Deletes every rollup of an agent, on the caller's transaction (with its results). */
    public static int deleteAgent(Connection c, String agentId) throws SQLException {
        return Sql.update(c, "DELETE FROM result_rollups WHERE agent_id = ?", agentId);
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
        Map<String, Long> kinds = new TreeMap<>();
        // a flat object of counts, read by the streaming parser: a report reads hundreds of thousands of rows
        try (com.fasterxml.jackson.core.JsonParser p = JsonMapping.MAPPER.getFactory().createParser(rs.getString("error_kinds"))) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new SQLException("error_kinds of a rollup is not an object");
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String kind = p.currentName();
                p.nextToken();
                kinds.put(kind, p.getLongValue());
            }
        } catch (java.io.IOException e) {
            throw new SQLException("unreadable error_kinds of a rollup", e);
        }
        return Rollup.of(rs.getLong("total"), rs.getLong("successes"), rs.getLong("failures"), rs.getLong("timeouts"),
                rs.getLong("errors"), kinds, Sql.nullableDouble(rs, "latency_min"), Sql.nullableDouble(rs, "latency_max"),
                rs.getDouble("latency_sum"), rs.getDouble("loss_sum"), rs.getLong("loss_count"), rs.getBytes("sketches"));
    }
}
