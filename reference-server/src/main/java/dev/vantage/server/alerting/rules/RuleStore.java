package dev.vantage.server.alerting.rules;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.json.JsonMapping;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Alert rules, stored in their JSON form ({@link RuleJson}). Every committed change is told to the listeners (the
 * alert engine reloads).
 */
public final class RuleStore {
    private static final String SELECT = "SELECT id, name, tasks, rule, channel_ids, enabled, created_by, created_at,"
            + " updated_at, revision FROM alert_rules";

    private final Database db;
    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public RuleStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Called after every committed change. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public Optional<StoredRule> find(String id) {
        return db.queryOne(SELECT + " WHERE id = ?", RuleStore::map, id);
    }

    /** Every rule, oldest first. */
    public List<StoredRule> all() {
        return db.query(SELECT + " ORDER BY created_at, id", RuleStore::map);
    }

    public StoredRule create(RuleJson.Definition d, String createdBy) {
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        Columns c = Columns.of(d);
        db.update("INSERT INTO alert_rules (id, name, tasks, rule, channel_ids, enabled, created_by, created_at,"
                + " updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                id, d.name(), c.tasks(), c.rule(), c.channels(), d.enabled(), createdBy, now, now);
        return changed(id);
    }

    /**
     * @param expectedRevision the revision the client last saw, or {@code null} to overwrite whatever is stored
     * @throws NotFoundException for an unknown rule; ConflictException if {@code expectedRevision} is not current
     */
    public StoredRule update(String id, RuleJson.Definition d, Long expectedRevision) {
        Columns c = Columns.of(d);
        List<Object> params = new ArrayList<>(List.of(d.name(), c.tasks(), c.rule(), c.channels(), d.enabled(),
                clock.instant(), id));
        if (expectedRevision != null) {
            params.add(expectedRevision);
        }
        int changed = db.update("UPDATE alert_rules SET name = ?, tasks = ?, rule = ?, channel_ids = ?, enabled = ?,"
                + " updated_at = ?, revision = revision + 1 WHERE id = ?" + (expectedRevision == null ? "" : " AND revision = ?"),
                params.toArray());
        if (changed == 0) {
            throw find(id).isPresent() ? new ConflictException(Message.of("stale.rule"))
                    : new NotFoundException("alert rule");
        }
        return changed(id);
    }

    /** Switches a rule on or off, whatever else it says. @throws NotFoundException for an unknown rule */
    public StoredRule setEnabled(String id, boolean enabled) {
        if (db.update("UPDATE alert_rules SET enabled = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
                enabled, clock.instant(), id) == 0) {
            throw new NotFoundException("alert rule");
        }
        return changed(id);
    }

    /** @throws NotFoundException for an unknown rule */
    public void delete(String id) {
        if (db.update("DELETE FROM alert_rules WHERE id = ?", id) == 0) {
            throw new NotFoundException("alert rule");
        }
        listeners.forEach(Runnable::run);
    }

    private StoredRule changed(String id) {
        listeners.forEach(Runnable::run);
        return find(id).orElseThrow(() -> new NotFoundException("alert rule"));
    }

    /** The stored columns of a definition: its JSON form split as the table holds it. */
    private record Columns(String tasks, String rule, String channels) {
        static Columns of(RuleJson.Definition d) {
            Map<String, Object> json = RuleJson.toJson(d);
            ObjectNode rule = JsonMapping.MAPPER.valueToTree(json);
            String tasks = JsonMapping.write(rule.remove("tasks"));
            String channels = JsonMapping.write(rule.remove("channels"));
            rule.remove("name");
            rule.remove("enabled");
            return new Columns(tasks, JsonMapping.write(rule), channels);
        }
    }

    private static StoredRule map(ResultSet rs) throws SQLException {
        ObjectNode json = (ObjectNode) JsonMapping.parseStored(rs.getString("rule"));
        json.put("name", rs.getString("name"));
        json.set("tasks", JsonMapping.parseStored(rs.getString("tasks")));
        json.set("channels", JsonMapping.parseStored(rs.getString("channel_ids")));
        json.put("enabled", rs.getBoolean("enabled"));
        RuleJson.Definition d = RuleJson.parse(json); // what was stored was valid; parsing again keeps one form
        return new StoredRule(rs.getString("id"), d, rs.getString("created_by"), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "updated_at"), rs.getLong("revision"));
    }
}
