package dev.vantage.server.instant;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.tasks.SpecSecrets;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Instant tests as stored: the probe (secret parameters sealed, see {@link SpecSecrets}), who started it when, and
 * which agents each replica asked.
 */
public final class InstantTestStore {
    private static final TypeReference<List<String>> IDS = new TypeReference<>() { };

    /** The table, also the first part of where a sealed secret belongs. */
    public static final String TABLE = "instant_tests";

    private final Database db;
    private final SpecSecrets secrets;

    public InstantTestStore(Database db, SpecSecrets secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    /** A started instant test: the probe and the agents it went to. */
    public record Started(String id, TaskSpec task, List<String> agentIds, Instant createdAt, String createdBy) {
    }

    public void insert(TaskSpec task, String createdBy, Instant at) {
        db.update("INSERT INTO instant_tests (id, spec, agent_ids, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                task.id(), secrets.write(TABLE, task), "[]", createdBy, at);
    }

    /** Records that this replica sent test {@code id} to {@code agentIds}. */
    public void recordAsked(String id, List<String> agentIds) {
        for (String agent : agentIds) {
            db.update("INSERT INTO instant_test_agents (instant_id, agent_id) VALUES (?, ?) ON CONFLICT DO NOTHING", id, agent);
        }
    }

    /** The agents asked, by any replica. */
    public List<String> asked(String id) {
        return db.query("SELECT agent_id FROM instant_test_agents WHERE instant_id = ? ORDER BY agent_id",
                rs -> rs.getString(1), id);
    }

    public Optional<Started> get(String id) {
        return db.queryOne("SELECT id, spec, agent_ids, created_by, created_at FROM instant_tests WHERE id = ?",
                rs -> new Started(rs.getString("id"), secrets.read(TABLE, rs.getString("id"), rs.getString("spec")),
                        JsonMapping.MAPPER.convertValue(JsonMapping.parseStored(rs.getString("agent_ids")), IDS),
                        Sql.instant(rs, "created_at"), rs.getString("created_by")), id)
                .map(t -> {
                    // agent_ids holds the agents of tests started before replicas recorded them in their own table
                    Set<String> all = new LinkedHashSet<>(t.agentIds());
                    all.addAll(asked(id));
                    return new Started(t.id(), t.task(), List.copyOf(all), t.createdAt(), t.createdBy());
                });
    }

    /**
     * Deletes the tests started before {@code cutoff} and the record of whom they went to; their results go by the
     * results' own retention. Returns the tests deleted.
     */
    public int deleteOlderThan(Instant cutoff) {
        db.update("DELETE FROM instant_test_agents WHERE instant_id IN (SELECT id FROM instant_tests WHERE created_at < ?)",
                cutoff);
        return db.update("DELETE FROM instant_tests WHERE created_at < ?", cutoff);
    }

    public boolean exists(String id) {
        return db.queryOne("SELECT 1 FROM instant_tests WHERE id = ?", rs -> true, id).isPresent();
    }
}
