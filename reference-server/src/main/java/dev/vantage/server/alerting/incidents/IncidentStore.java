package dev.vantage.server.alerting.incidents;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.vantage.server.errors.Message;
import dev.vantage.server.alerting.evaluation.Grouped;
import dev.vantage.server.alerting.evaluation.Summary;
import dev.vantage.server.alerting.evaluation.Transition;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.DatabaseException;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.json.JsonMapping;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Incidents and their timelines. Recording a transition is idempotent per rule and task: at most one incident is
 * open for a rule and task (a unique key), so a transition recorded twice (a restart, another replica) is recorded
 * once, and only the first caller is told to notify.
 */
public final class IncidentStore {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final String SELECT = "SELECT id, rule_id, task_id, started_at, resolved_at, acknowledged_by,"
            + " acknowledged_at, summary, summary_data FROM incidents";

    /** A transition as recorded: its incident and the new timeline entry, which is what people are told of. */
    public record Recorded(Incident incident, IncidentEvent event) {
    }

    private final Database db;
    private final Clock clock;

    public IncidentStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    private static String openKey(String ruleId, String taskId) {
        return ruleId + "/" + taskId;
    }

    /** A transition to record, the channels to notify of it, and the silence keeping it quiet ({@code null}: none). */
    public record ToRecord(Transition transition, List<String> channelIds, String silencedBy) {
    }

    /**
     * Records a transition of the rule's alert on a task and, in the same transaction, queues its notification to
     * each of {@code channelIds} ({@link NotificationQueue} sends them), unless a silence keeps it quiet.
     *
     * @param silencedBy the silence covering the transition, or {@code null}: it is recorded, not sent
     * @return what was recorded; empty when there is nothing new to tell (it was recorded already, there is no open
     *         incident to remind of or resolve, or a reminder of an acknowledged incident)
     */
    public Optional<Recorded> record(Transition t, List<String> channelIds, String silencedBy) {
        return record(List.of(new ToRecord(t, channelIds, silencedBy))).get(0);
    }

    /**
     * Records transitions as {@link #record(Transition, List, String)} does, all in one transaction (one commit for
     * those judged together); one already recorded elsewhere leaves the others recorded.
     *
     * @return what each recorded, in the same order
     */
    public List<Optional<Recorded>> record(List<ToRecord> batch) {
        return db.inTransaction(c -> {
            List<Optional<Recorded>> out = new ArrayList<>(batch.size());
            for (ToRecord r : batch) {
                Transition t = r.transition();
                Savepoint before = c.setSavepoint();
                try {
                    Optional<Recorded> recorded = recordIn(c, t, openKey(t.ruleId(), t.taskId()), r.silencedBy());
                    if (recorded.isPresent() && r.silencedBy() == null) {
                        NotificationQueue.enqueue(c, recorded.get().event().id(), r.channelIds(), t.at());
                    }
                    c.releaseSavepoint(before);
                    out.add(recorded);
                } catch (SQLException e) {
                    if (!new DatabaseException(e).isUniqueViolation()) {
                        throw e;
                    }
                    c.rollback(before); // already open: someone recorded this firing first
                    out.add(Optional.empty());
                }
            }
            return out;
        });
    }

    private Optional<Recorded> recordIn(Connection c, Transition t, String key, String silencedBy) throws SQLException {
        return switch (t.kind()) {
            case FIRING -> {
                String id = UUID.randomUUID().toString();
                Sql.update(c, "INSERT INTO incidents (id, rule_id, task_id, open_key, started_at, summary, summary_data)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", id, t.ruleId(), t.taskId(), key, t.at(), t.summary().toString(),
                        t.summary().toJson());
                yield Optional.of(new Recorded(find(c, id).orElseThrow(), event(c, id, t, silencedBy)));
            }
            case REMINDER -> {
                Optional<Incident> open = Sql.queryOne(c, SELECT + " WHERE open_key = ?", IncidentStore::map, key);
                if (open.isEmpty() || open.get().acknowledgedAt() != null) {
                    yield Optional.empty(); // an acknowledgement silences reminders
                }
                yield Optional.of(new Recorded(open.get(), event(c, open.get().id(), t, silencedBy)));
            }
            case RESOLVED -> {
                Optional<Incident> open = Sql.queryOne(c, SELECT + " WHERE open_key = ? FOR UPDATE", IncidentStore::map, key);
                if (open.isEmpty() || Sql.update(c, "UPDATE incidents SET resolved_at = ?, open_key = NULL WHERE id = ?"
                        + " AND open_key IS NOT NULL", t.at(), open.get().id()) == 0) {
                    yield Optional.empty();
                }
                yield Optional.of(new Recorded(find(c, open.get().id()).orElseThrow(), event(c, open.get().id(), t, silencedBy)));
            }
        };
    }

    private IncidentEvent event(Connection c, String incidentId, Transition t, String silencedBy) throws SQLException {
        return addEvent(c, incidentId, t.at(), t.kind().name().toLowerCase(Locale.ROOT), null, t.summary(),
                t.badAgents(), t.evidence(), silencedBy);
    }

    private static IncidentEvent addEvent(Connection c, String incidentId, Instant at, String kind, String actor,
                                          Summary summary, List<String> badAgents, List<String> evidence,
                                          String silencedBy) throws SQLException {
        String id = UUID.randomUUID().toString();
        Sql.update(c, "INSERT INTO incident_events (id, incident_id, at, kind, actor, summary, summary_data, bad_agents,"
                + " evidence, silenced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, incidentId, at, kind, actor,
                summary.toString(), summary.toJson(),
                JsonMapping.write(badAgents), JsonMapping.write(evidence), silencedBy);
        return new IncidentEvent(id, incidentId, at, kind, actor, summary, badAgents, evidence, silencedBy);
    }

    /**
     * Lists a task under the open incident of a rule on the task it depends on ("grouped"): its failures are that
     * incident's, and nobody is told separately. Once per task and incident, however often it is reported.
     *
     * @return the entry added, or empty when the incident is not open or lists the task already
     */
    public Optional<Recorded> group(Grouped g) {
        Summary summary = Summary.of("grouped", g.taskId(), g.reason());
        return db.inTransaction(c -> {
            Optional<Incident> open = Sql.queryOne(c, SELECT + " WHERE open_key = ? FOR UPDATE", IncidentStore::map,
                    openKey(g.ruleId(), g.parentTaskId()));
            if (open.isEmpty() || Sql.queryOne(c, "SELECT 1 FROM incident_events WHERE incident_id = ? AND kind = 'grouped'"
                    + " AND summary = ?", rs -> 1, open.get().id(), summary.toString()).isPresent()) {
                return Optional.empty();
            }
            return Optional.of(new Recorded(open.get(), addEvent(c, open.get().id(), g.at(), "grouped", null, summary,
                    List.of(), List.of(g.taskId()), null)));
        });
    }

    /**
     * Acknowledges an open incident: someone is on it, reminders stop.
     *
     * @throws NotFoundException for an unknown incident; ConflictException if it is resolved or acknowledged already
     */
    public IncidentEvent acknowledge(String id, String username) {
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            Incident i = find(c, id).orElseThrow(() -> new NotFoundException("incident"));
            if (!i.open() || i.acknowledgedAt() != null) {
                throw new ConflictException(i.open() ? Message.of("incident.acknowledged", i.acknowledgedBy())
                        : Message.of("incident.resolved"));
            }
            Sql.update(c, "UPDATE incidents SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?", username, now, id);
            return addEvent(c, id, now, "acknowledged", username, Summary.of("acknowledged", username), List.of(), List.of(), null);
        });
    }

    /** Adds a note to the timeline. @throws NotFoundException for an unknown incident */
    public IncidentEvent note(String id, String username, String text) {
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            find(c, id).orElseThrow(() -> new NotFoundException("incident"));
            return addEvent(c, id, now, "note", username, Summary.text(text), List.of(), List.of(), null);
        });
    }

    public Optional<Incident> find(String id) {
        return db.queryOne(SELECT + " WHERE id = ?", IncidentStore::map, id);
    }

    private static Optional<Incident> find(Connection c, String id) throws SQLException {
        return Sql.queryOne(c, SELECT + " WHERE id = ?", IncidentStore::map, id);
    }

    /**
     * The newest first.
     *
     * @param open   only open ones ({@code true}), only resolved ones ({@code false}), or both ({@code null})
     * @param taskId only this task's, or {@code null} for every task's
     */
    public List<Incident> list(Boolean open, String taskId, int limit) {
        StringBuilder sql = new StringBuilder(SELECT + " WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (open != null) {
            sql.append(open ? " AND resolved_at IS NULL" : " AND resolved_at IS NOT NULL");
        }
        if (taskId != null) {
            sql.append(" AND task_id = ?");
            params.add(taskId);
        }
        sql.append(" ORDER BY started_at DESC, id LIMIT ?");
        params.add(limit);
        return db.query(sql.toString(), IncidentStore::map, params.toArray());
    }

    /** Every open incident: what the alert engine resumes from after a restart. */
    public List<Incident> open() {
        return db.query(SELECT + " WHERE open_key IS NOT NULL", IncidentStore::map);
    }

    private static final String SELECT_EVENT = "SELECT id, incident_id, at, kind, actor, summary, summary_data,"
            + " bad_agents, evidence, silenced_by FROM incident_events";

    /** The timeline of an incident, oldest first. */
    public List<IncidentEvent> events(String incidentId) {
        return db.query(SELECT_EVENT + " WHERE incident_id = ? ORDER BY at, id", IncidentStore::mapEvent, incidentId);
    }

    public Optional<IncidentEvent> event(String eventId) {
        return db.queryOne(SELECT_EVENT + " WHERE id = ?", IncidentStore::mapEvent, eventId);
    }

    private static IncidentEvent mapEvent(ResultSet rs) throws SQLException {
        return new IncidentEvent(rs.getString("id"), rs.getString("incident_id"), Sql.instant(rs, "at"),
                rs.getString("kind"), rs.getString("actor"), summary(rs), strings(rs.getString("bad_agents")),
                strings(rs.getString("evidence")), rs.getString("silenced_by"));
    }

    private static List<String> strings(String json) {
        return JsonMapping.MAPPER.convertValue(JsonMapping.parseStored(json), STRINGS);
    }

    private static Incident map(ResultSet rs) throws SQLException {
        return new Incident(rs.getString("id"), rs.getString("rule_id"), rs.getString("task_id"),
                Sql.instant(rs, "started_at"), Sql.instant(rs, "resolved_at"), rs.getString("acknowledged_by"),
                Sql.instant(rs, "acknowledged_at"), summary(rs));
    }

    /** The stored summary; only its English text for rows older than summaries with codes. */
    private static Summary summary(ResultSet rs) throws SQLException {
        String data = rs.getString("summary_data");
        return data != null ? Summary.fromJson(data) : Summary.text(rs.getString("summary"));
    }
}
