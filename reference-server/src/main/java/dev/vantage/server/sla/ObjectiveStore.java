package dev.vantage.server.sla;

import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** SLA objectives per task ({@code sla_objectives}, migration V15; a task's row goes with the task). */
public final class ObjectiveStore {
    private final Database db;
    private final Clock clock;

    public ObjectiveStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Optional<Objective> find(String taskId) {
        return db.queryOne("SELECT availability, latency_quantile, latency_ms FROM sla_objectives WHERE task_id = ?",
                ObjectiveStore::map, taskId);
    }

    /** Every task's objective, by task id. */
    public Map<String, Objective> all() {
        Map<String, Objective> all = new TreeMap<>();
        db.query("SELECT task_id, availability, latency_quantile, latency_ms FROM sla_objectives",
                rs -> all.put(rs.getString("task_id"), map(rs)));
        return all;
    }

    public void put(String taskId, Objective o) {
        db.inTransaction(c -> {
            Sql.update(c, "DELETE FROM sla_objectives WHERE task_id = ?", taskId);
            return Sql.update(c, "INSERT INTO sla_objectives (task_id, availability, latency_quantile, latency_ms,"
                    + " updated_at) VALUES (?, ?, ?, ?, ?)", taskId, o.availability(), o.latencyQuantile(),
                    o.latencyMs(), clock.instant());
        });
    }

    /** @return whether there was one */
    public boolean delete(String taskId) {
        return db.update("DELETE FROM sla_objectives WHERE task_id = ?", taskId) > 0;
    }

    private static Objective map(ResultSet rs) throws SQLException {
        return new Objective(rs.getDouble("availability"), Sql.nullableDouble(rs, "latency_quantile"),
                Sql.nullableDouble(rs, "latency_ms"));
    }
}
