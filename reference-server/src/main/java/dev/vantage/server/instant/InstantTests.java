package dev.vantage.server.instant;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.engine.TaskSpecJson;
import dev.vantage.server.agents.AgentHub;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.http.Json;
import dev.vantage.server.tasks.Selector;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * "Run this probe now from these agents": sends the probe to every matching online agent at once and keeps the
 * request, so its results (stored like any other, with the instant-test id as task id) can be read back and
 * streamed live as agents answer.
 */
public final class InstantTests {
    private static final TypeReference<List<String>> IDS = new TypeReference<>() { };

    private final Database db;
    private final AgentHub hub;
    private final Clock clock;

    public InstantTests(Database db, AgentHub hub, Clock clock) {
        this.db = db;
        this.hub = hub;
        this.clock = clock;
    }

    /** A started instant test: the probe and the agents it went to. */
    public record Started(String id, TaskSpec task, List<String> agentIds, Instant createdAt, String createdBy) {
    }

    /** One stored result of an instant test. */
    public record Answer(String agentId, String resultJson) {
    }

    /** Stores the request, then sends it; the spec's id becomes the test's id and it runs once. */
    public Started start(TaskSpec spec, Selector selector, String createdBy) {
        String id = UUID.randomUUID().toString();
        TaskSpec task = spec.toBuilder().id(id).interval(null).build();
        Instant now = clock.instant();
        // stored before sending, so a result can never arrive for an unknown id
        db.update("INSERT INTO instant_tests (id, spec, agent_ids, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                id, TaskSpecJson.write(task), "[]", createdBy, now);
        List<String> agents = hub.instant(id, task, selector);
        db.update("UPDATE instant_tests SET agent_ids = ? WHERE id = ?", Json.write(agents), id);
        return new Started(id, task, agents, now, createdBy);
    }

    public Optional<Started> get(String id) {
        return db.queryOne("SELECT id, spec, agent_ids, created_by, created_at FROM instant_tests WHERE id = ?",
                rs -> new Started(rs.getString("id"), TaskSpecJson.parse(rs.getString("spec")),
                        Json.MAPPER.convertValue(Json.parseStored(rs.getString("agent_ids")), IDS),
                        Sql.instant(rs, "created_at"), rs.getString("created_by")), id);
    }

    public boolean exists(String id) {
        return db.queryOne("SELECT 1 FROM instant_tests WHERE id = ?", rs -> true, id).isPresent();
    }

    /** The results stored so far, oldest first. */
    public List<Answer> answers(String id) {
        return db.query("SELECT agent_id, body FROM results WHERE task_id = ? ORDER BY started_at",
                rs -> new Answer(rs.getString(1), rs.getString(2)), id);
    }
}
