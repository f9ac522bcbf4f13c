package db.migration;

import dev.vantage.server.db.Sql;
import dev.vantage.server.results.rollups.Rollup;
import dev.vantage.server.results.rollups.RollupStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Rolls up the results stored before rollups existed (V11), in the migration's transaction: Flyway runs it once, on
 * one replica, before any server of this version stores a result. Phases live only in the stored JSON; they are not
 * read here, so these old buckets have the latency sketch but no phase sketches.
 */
public class V12__result_rollups_backfill extends BaseJavaMigration {
    private static final int CHUNK = 5_000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (PreparedStatement ps = c.prepareStatement("SELECT task_id, agent_id, started_at, status, error_kind,"
                + " COALESCE(latency_ms, duration_ms) AS latency_ms, loss_percent FROM results"
                + " ORDER BY task_id, agent_id, started_at")) {
            ps.setFetchSize(CHUNK); // PostgreSQL streams (the transaction is open) rather than loading every row
            try (ResultSet rs = ps.executeQuery()) {
                List<RollupStore.Entry> chunk = new ArrayList<>(CHUNK);
                while (rs.next()) {
                    chunk.add(new RollupStore.Entry(rs.getString("task_id"), rs.getString("agent_id"),
                            Sql.instant(rs, "started_at"), new Rollup.Sample(rs.getString("status"),
                            rs.getString("error_kind"), rs.getDouble("latency_ms"),
                            Sql.nullableDouble(rs, "loss_percent"), Map.of())));
                    if (chunk.size() == CHUNK) {
                        RollupStore.add(c, chunk);
                        chunk.clear();
                    }
                }
                RollupStore.add(c, chunk);
            }
        }
    }
}
