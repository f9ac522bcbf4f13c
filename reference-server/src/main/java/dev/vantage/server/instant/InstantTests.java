package dev.vantage.server.instant;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.vantage.probe.engine.TaskSpec;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.json.TaskSpecJson;
import dev.vantage.server.agents.AgentHub;
import dev.vantage.server.agents.AgentRecord;
import dev.vantage.server.agents.AgentStore;
import dev.vantage.server.db.Database;
import dev.vantage.server.dispatch.Control;
import dev.vantage.server.dispatch.Dispatch;
import dev.vantage.server.http.FieldError;
import dev.vantage.server.db.Sql;
import dev.vantage.server.http.Json;
import dev.vantage.server.tasks.Selector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;

/**
 * "Run this probe now from these agents": sends the probe to every matching online agent at once and keeps the
 * request, so its results (stored like any other, with the instant-test id as task id) can be read back and
 * streamed live as agents answer. With several replicas, each sends the test to the agents connected to it and
 * records which it asked, so every replica reads the same list.
 */
public final class InstantTests {
    private static final TypeReference<List<String>> IDS = new TypeReference<>() { };

    /** How long a start waits for other replicas to report the agents they asked. */
    private static final Duration OTHERS = Duration.ofSeconds(2);

    private final Database db;
    private final AgentHub hub;
    private final AgentStore agents;
    private final Dispatch dispatch;
    private final Clock clock;
    private final Duration heartbeat;

    public InstantTests(Database db, AgentHub hub, AgentStore agents, Dispatch dispatch, Clock clock, Duration heartbeat) {
        this.db = db;
        this.hub = hub;
        this.agents = agents;
        this.dispatch = dispatch;
        this.clock = clock;
        this.heartbeat = heartbeat;
        dispatch.listen(this::apply);
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
        record(id, hub.instant(id, task, selector));
        if (dispatch.distributed()) {
            dispatch.broadcast(new Control(Control.INSTANT, id,
                    Json.write(Map.of("task", TaskSpecJson.toJson(task), "selector", selector.toJson()))));
            awaitOthers(id, candidates(task, selector));
        }
        return new Started(id, task, asked(id), now, createdBy);
    }

    /** Another replica started an instant test: send it to the matching agents connected here. */
    private void apply(Control c) {
        if (!Control.INSTANT.equals(c.kind())) {
            return;
        }
        JsonNode body = Json.parseStored(c.body());
        TaskSpec task = TaskSpecJson.parse(body.get("task"));
        List<FieldError> errors = new ArrayList<>();
        Selector selector = Selector.parse(body.get("selector"), errors);
        if (errors.isEmpty()) {
            record(c.id(), hub.instant(c.id(), task, selector));
        }
    }

    private void record(String id, List<String> agentIds) {
        for (String agent : agentIds) {
            db.update("INSERT INTO instant_test_agents (instant_id, agent_id) VALUES (?, ?) ON CONFLICT DO NOTHING", id, agent);
        }
    }

    /** The online agents, on any replica, that should get the test. */
    private Set<String> candidates(TaskSpec task, Selector selector) {
        Set<String> out = new LinkedHashSet<>();
        for (AgentRecord a : agents.online(clock.instant().minus(heartbeat.multipliedBy(2)))) {
            if (selector.matches(a.id(), a.labels()) && a.capabilities() != null
                    && a.capabilities().types().contains(task.type())) {
                out.add(a.id());
            }
        }
        return out;
    }

    /** Waits, briefly, until the replicas holding the candidates have recorded sending to them. */
    private void awaitOthers(String id, Set<String> candidates) {
        long until = System.nanoTime() + OTHERS.toNanos();
        while (!asked(id).containsAll(candidates) && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The agents asked, by any replica. */
    private List<String> asked(String id) {
        return db.query("SELECT agent_id FROM instant_test_agents WHERE instant_id = ? ORDER BY agent_id",
                rs -> rs.getString(1), id);
    }

    public Optional<Started> get(String id) {
        return db.queryOne("SELECT id, spec, agent_ids, created_by, created_at FROM instant_tests WHERE id = ?",
                rs -> new Started(rs.getString("id"), TaskSpecJson.parse(rs.getString("spec")),
                        Json.MAPPER.convertValue(Json.parseStored(rs.getString("agent_ids")), IDS),
                        Sql.instant(rs, "created_at"), rs.getString("created_by")), id)
                .map(t -> {
                    // agent_ids holds the agents of tests started before replicas recorded them in their own table
                    Set<String> all = new LinkedHashSet<>(t.agentIds());
                    all.addAll(asked(id));
                    return new Started(t.id(), t.task(), List.copyOf(all), t.createdAt(), t.createdBy());
                });
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
