package dev.vantage.server.results;

import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.InvalidFieldException;
import dev.vantage.server.results.rollups.Rollup;
import dev.vantage.server.results.rollups.RollupStore;
import dev.vantage.server.results.rollups.Rollups;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Probe results: stored once per result id (a repeated id is a harmless duplicate, as agents resend batches after a
 * reconnect), read back newest first with keyset paging, and read as rows for aggregation. The results a transaction
 * newly stores are counted in the rollups: tagged with the open rollup epoch, then added to it once committed
 * ({@link Rollups}).
 */
public final class ResultStore {
    private static final int CHUNK = 500; // 14 parameters a row: 7,000 a statement, well below PostgreSQL's 32,767
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // no conflict target: H2 2.5 (PostgreSQL mode) refuses "ON CONFLICT (id)", but accepts the bare form, which
    // PostgreSQL reads the same way here because the primary key is the table's only unique constraint. On
    // PostgreSQL that key is (id, started_at) (a partitioned table's key must hold the partition key): still once per
    // id, because a resent result always carries the startedAt it was first sent with (V5__results_partitioned.sql)
    private static final String INSERT = "INSERT INTO results (id, task_id, agent_id, type, target, status, error_kind,"
            + " started_at, duration_ms, latency_ms, loss_percent, body, received_at, rollup_epoch) VALUES " + ResultStore.ROW
            + " ON CONFLICT DO NOTHING";
    /** Where a row of {@link #INSERT}'s values holds {@code task_id} and {@code started_at}. */
    private static final int TASK_ID = 1;
    private static final int STARTED_AT = 7;

    /** One page of result JSON documents, newest first, and the cursor of the next page ({@code null} at the end). */
    public record Page(List<Item> items, String next) {
    }

    /** One stored result: its JSON as stored, and the agent that sent it. */
    public record Item(String agentId, String body) {
    }

    /** What aggregation needs of one result. */
    public record Row(String agentId, Instant startedAt, String status, String errorKind, double latencyMs,
                      Double lossPercent) {
        /** The result as a rollup counts it (phases are not read from raw rows). */
        public Rollup.Sample sample() {
            return new Rollup.Sample(status, errorKind, latencyMs, lossPercent, java.util.Map.of());
        }
    }

    /** The window held more rows than the caller allowed. */
    public static final class TooManyRows extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyRows(int max) {
            super("more than " + max + " results", null, false, false);
        }
    }

    private final Database db;
    private final Clock clock;
    private final Rollups rollups;
    private final List<BiConsumer<String, List<ProbeResult>>> storedListeners = new CopyOnWriteArrayList<>();

    public ResultStore(Database db, Clock clock, Rollups rollups) {
        this.db = db;
        this.clock = clock;
        this.rollups = rollups;
    }

    /**
     * One agent's results, as a unit of {@link #storeBatches}.
     *
     * @param bodies each result's JSON text as {@link ResultJson#toJson} writes it, to store as is; or {@code null}
     *               to have it written here
     */
    public record Batch(String agentId, List<ProbeResult> results, List<String> bodies) {
        public Batch(String agentId, List<ProbeResult> results) {
            this(agentId, results, null);
        }
    }

    /**
     * Stores results from one agent in one transaction, skipping ids already stored.
     *
     * @throws IllegalArgumentException if a result has no id or a field too long to store (nothing is stored)
     */
    public StoredCount storeBatch(String agentId, List<ProbeResult> results) {
        return storeBatches(List.of(new Batch(agentId, results)));
    }

    /**
     * Stores several agents' batches in one transaction (one commit for many small batches is what makes a busy
     * queue consumer fast), skipping ids already stored.
     *
     * @return the counts over all batches
     * @throws IllegalArgumentException if a result has no id or a field too long to store (nothing is stored)
     */
    public StoredCount storeBatches(List<Batch> batches) {
        return storeEach(batches).stream().reduce(StoredCount.NONE, StoredCount::plus);
    }

    /**
     * Like {@link #storeBatches}, counting each batch apart.
     *
     * @return the counts of each batch, in order
     */
    public List<StoredCount> storeEach(List<Batch> batches) {
        for (Batch b : batches) {
            validate(b.results());
        }
        Instant now = clock.instant();
        List<Object[]> rows = new ArrayList<>();
        for (Batch b : batches) {
            for (int i = 0; i < b.results().size(); i++) {
                ProbeResult r = b.results().get(i);
                Double loss = r.measurements().get("lossPercent");
                rows.add(new Object[] {r.id(), r.taskId(), b.agentId(), r.type(), r.target(), r.status().name(),
                        r.error() == null ? null : r.error().kind().name(), r.startedAt(),
                        Durations.toMillis(r.duration()), latencyMs(r), loss == null || loss.isNaN() ? null : loss,
                        b.bodies() == null ? ResultJson.toJson(r) : b.bodies().get(i), now, null});
            }
        }
        // in id order: two transactions storing the same results (a resend through another replica) take the ids'
        // locks in the same order, so they cannot deadlock on them
        rows.sort(java.util.Comparator.comparing(row -> (String) row[0]));
        // which rows went in, so listeners hear of new results only (a resent duplicate is not exported twice), and
        // the rollups count them once committed (a duplicate, or a rolled-back batch, is never counted)
        java.util.Set<String> fresh;
        try (Rollups.Ticket epoch = rollups.enter()) {
            rows.forEach(row -> row[row.length - 1] = epoch.epochFor((String) row[TASK_ID], (Instant) row[STARTED_AT]));
            fresh = db.inTransaction(c -> db.isPostgres() ? multiRow(c, rows) : batched(c, rows));
            epoch.add(rollupEntries(batches, fresh));
        }
        List<StoredCount> counts = new ArrayList<>(batches.size());
        for (Batch b : batches) {
            // removed once counted: an id in two batches of one call was stored once, by the first
            List<ProbeResult> inserted = b.results().stream().filter(r -> fresh.remove(r.id())).toList();
            counts.add(new StoredCount(inserted.size(), b.results().size() - inserted.size()));
            storedListeners.forEach(l -> l.accept(b.agentId(), inserted));
        }
        return counts;
    }

    /** The results of {@code batches} whose id is in {@code inserted}, each once (by its first batch), for the rollups. */
    private static List<RollupStore.Entry> rollupEntries(List<Batch> batches, java.util.Set<String> inserted) {
        java.util.Set<String> left = new java.util.HashSet<>(inserted);
        List<RollupStore.Entry> entries = new ArrayList<>(inserted.size());
        for (Batch b : batches) {
            for (ProbeResult r : b.results()) {
                if (left.remove(r.id())) {
                    entries.add(rollupEntry(b.agentId(), r));
                }
            }
        }
        return entries;
    }

    private static RollupStore.Entry rollupEntry(String agentId, ProbeResult r) {
        Double loss = r.measurements().get("lossPercent");
        java.util.Map<String, Double> phases = new java.util.LinkedHashMap<>();
        r.phases().forEach((name, d) -> phases.put(name, Durations.toMillis(d)));
        return new RollupStore.Entry(r.taskId(), agentId, r.startedAt(), new Rollup.Sample(r.status().name(),
                r.error() == null ? null : r.error().kind().name(), latencyMs(r), loss == null || loss.isNaN() ? null : loss,
                phases));
    }

    /** The results a rollup epoch tagged, as the rollups count them ({@link Rollups.Recount}: after a crash). */
    public static List<RollupStore.Entry> epochEntries(java.sql.Connection c, long epoch) throws java.sql.SQLException {
        return Sql.query(c, "SELECT agent_id, body FROM results WHERE rollup_epoch = ?",
                rs -> rollupEntry(rs.getString(1), ResultJson.parse(rs.getString(2))), epoch);
    }

    /** JDBC batches of the one-row insert (H2); returns the ids inserted. */
    private static java.util.Set<String> batched(java.sql.Connection c, List<Object[]> rows) throws java.sql.SQLException {
        java.util.Set<String> fresh = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int from = 0; from < rows.size(); from += CHUNK) {
                List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                for (Object[] row : chunk) {
                    Sql.bind(ps, row);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    // 1 inserted, 0 skipped by ON CONFLICT; a driver that cannot tell counts as inserted
                    if (counts[i] != 0) {
                        fresh.add((String) chunk.get(i)[0]);
                    }
                }
            }
        }
        return fresh;
    }

    /**
     * Multi-row inserts (PostgreSQL): one statement and round trip per chunk instead of one per row, several times
     * faster there; {@code RETURNING id} names exactly the rows inserted, so duplicates are still told apart.
     */
    private static java.util.Set<String> multiRow(java.sql.Connection c, List<Object[]> rows) throws java.sql.SQLException {
        java.util.Set<String> fresh = new java.util.HashSet<>();
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            String values = (", " + ROW).repeat(chunk.size()).substring(2);
            try (PreparedStatement ps = c.prepareStatement(INSERT.replace(ROW, values) + " RETURNING id")) {
                Sql.bind(ps, chunk.stream().flatMap(java.util.Arrays::stream).toArray());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        fresh.add(rs.getString(1));
                    }
                }
            }
        }
        return fresh;
    }

    /**
     * Checks what the table cannot hold, so a bad result is refused before it is accepted (and, behind a queue,
     * before the agent is told it is safe).
     *
     * @throws InvalidFieldException naming the first bad field ({@code results[2].id}) and why, in any language
     */
    public static void validate(List<ProbeResult> results) {
        for (int i = 0; i < results.size(); i++) {
            check(results.get(i), i);
        }
    }

    /**
     * Hears of each committed batch with the agent's id and the results newly stored (duplicates left out), on the
     * storing thread: a listener must not block (InfluxDB export queues them).
     */
    public void addStoredListener(BiConsumer<String, List<ProbeResult>> listener) {
        storedListeners.add(listener);
    }

    /**
     * What "latency" means for a result: the mean round trip where the probe measures one (ICMP, UDP: the attempt
     * itself also spans the packet spacing), else the attempt's duration (TCP connect, HTTP total).
     */
    static double latencyMs(ProbeResult r) {
        Double rtt = r.measurements().get("rttAvgMs"); // the RoundTrips measurement name, a public contract
        return rtt != null && Double.isFinite(rtt) ? rtt : Durations.toMillis(r.duration());
    }

    private static void check(ProbeResult r, int index) {
        String at = "results[" + index + "].";
        if (r.id().isBlank()) {
            throw new InvalidFieldException(at + "id", "json.required");
        }
        fits(at + "id", r.id(), 36);
        fits(at + "taskId", r.taskId(), 128);
        fits(at + "type", r.type(), 32);
        fits(at + "target", r.target(), 2048);
    }

    /** The column's width. */
    private static void fits(String field, String value, int max) {
        if (value.length() > max) {
            throw new InvalidFieldException(field, "json.maxLength", max);
        }
    }

    /** One stored result's JSON and the agent it came from. */
    public record AgentBody(String agentId, String body) {
    }

    /** A task's results in {@code [from, to)}, oldest first, at most {@code max}. */
    public List<AgentBody> between(String taskId, Instant from, Instant to, int max) {
        return db.query("SELECT agent_id, body FROM results WHERE task_id = ? AND started_at >= ? AND started_at < ?"
                + " ORDER BY started_at, id LIMIT ?", rs -> new AgentBody(rs.getString(1), rs.getString(2)), taskId, from, to, max);
    }

    /** Every result of a task, oldest first (an instant test has one per agent asked). */
    public List<AgentBody> all(String taskId) {
        return db.query("SELECT agent_id, body FROM results WHERE task_id = ? ORDER BY started_at",
                rs -> new AgentBody(rs.getString(1), rs.getString(2)), taskId);
    }

    /**
     * Results of a task, newest first.
     *
     * @param agentId only this agent's, or all when {@code null}
     * @param from    inclusive lower bound of {@code startedAt}, or {@code null}
     * @param to      exclusive upper bound of {@code startedAt}, or {@code null}
     * @param cursor  the {@code next} of the previous page, or {@code null} for the first
     * @throws InvalidFieldException for a malformed cursor
     */
    public Page page(String taskId, String agentId, Instant from, Instant to, int limit, String cursor) {
        StringBuilder sql = new StringBuilder("SELECT id, agent_id, started_at, body FROM results WHERE task_id = ?");
        List<Object> params = new ArrayList<>(List.of(taskId));
        window(sql, params, agentId, from, to);
        if (cursor != null) {
            Position after = Position.decode(cursor);
            sql.append(" AND (started_at < ? OR (started_at = ? AND id < ?))");
            params.addAll(List.of(after.startedAt(), after.startedAt(), after.id()));
        }
        sql.append(" ORDER BY started_at DESC, id DESC LIMIT ?");
        params.add(limit + 1);
        record Found(String id, Instant startedAt, Item item) {
        }
        List<Found> rows = db.query(sql.toString(), rs -> new Found(rs.getString("id"), Sql.instant(rs, "started_at"),
                new Item(rs.getString("agent_id"), rs.getString("body"))), params.toArray());
        List<Found> page = rows.subList(0, Math.min(limit, rows.size()));
        String next = rows.size() > limit ? new Position(page.getLast().startedAt(), page.getLast().id()).encode() : null;
        return new Page(page.stream().map(Found::item).toList(), next);
    }

    /** Deletes every stored result of an agent, and its rollups; answers how many results. */
    public int deleteAgent(String agentId) {
        int deleted = db.inTransaction(c -> {
            RollupStore.deleteAgent(c, agentId);
            return Sql.update(c, "DELETE FROM results WHERE agent_id = ?", agentId);
        });
        rollups.forgetAgent(agentId);
        return deleted;
    }

    /** Whether any result of the task came from this agent. */
    public boolean hasAgent(String taskId, String agentId) {
        return db.queryOne("SELECT 1 FROM results WHERE task_id = ? AND agent_id = ? LIMIT 1", rs -> 1, taskId, agentId)
                .isPresent();
    }

    /**
     * The rows of a task's results in {@code [from, to)}, oldest first.
     *
     * @throws TooManyRows if there are more than {@code maxRows}
     */
    public List<Row> rows(String taskId, String agentId, Instant from, Instant to, int maxRows) {
        StringBuilder sql = new StringBuilder("SELECT agent_id, started_at, status, error_kind, COALESCE(latency_ms, duration_ms) AS latency_ms,"
                + " loss_percent FROM results WHERE task_id = ?");
        List<Object> params = new ArrayList<>(List.of(taskId));
        window(sql, params, agentId, from, to);
        sql.append(" ORDER BY started_at LIMIT ?");
        params.add(maxRows + 1);
        List<Row> rows = db.query(sql.toString(), rs -> new Row(rs.getString("agent_id"), Sql.instant(rs, "started_at"),
                rs.getString("status"), rs.getString("error_kind"), rs.getDouble("latency_ms"),
                Sql.nullableDouble(rs, "loss_percent")), params.toArray());
        if (rows.size() > maxRows) {
            throw new TooManyRows(maxRows);
        }
        return rows;
    }

    private static void window(StringBuilder sql, List<Object> params, String agentId, Instant from, Instant to) {
        if (agentId != null) {
            sql.append(" AND agent_id = ?");
            params.add(agentId);
        }
        if (from != null) {
            sql.append(" AND started_at >= ?");
            params.add(from);
        }
        if (to != null) {
            sql.append(" AND started_at < ?");
            params.add(to);
        }
    }

    /** Where a page ended: opaque to clients (base64url of {@code <instant>|<id>}). */
    private record Position(Instant startedAt, String id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((startedAt + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Position decode(String cursor) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int bar = text.indexOf('|');
                return new Position(Instant.parse(text.substring(0, bar)), text.substring(bar + 1));
            } catch (RuntimeException e) {
                throw new InvalidFieldException("cursor", "results.cursor");
            }
        }
    }
}
