package dev.vantage.server.alerting.silences;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.json.JsonMapping;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** Silences and maintenance windows, in their JSON form ({@link SilenceJson}); kept in memory too, as alerting asks often. */
public final class SilenceStore {
    private final Database db;
    private final Clock clock;
    private final AtomicReference<List<Silence>> cache = new AtomicReference<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public SilenceStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Called after every committed change. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Drops what is kept in memory: another replica changed the silences. */
    public void forget() {
        cache.set(null);
    }

    /** Every silence, oldest first. */
    public List<Silence> all() {
        List<Silence> all = cache.get();
        if (all == null) {
            all = db.query("SELECT id, tasks, rule_id, window_json, comment, created_by, created_at FROM silences"
                    + " ORDER BY created_at, id", SilenceStore::map);
            cache.set(all);
        }
        return all;
    }

    public Optional<Silence> find(String id) {
        return all().stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public Silence create(SilenceJson.Definition d, String createdBy) {
        String id = UUID.randomUUID().toString();
        Map<String, Object> json = SilenceJson.toJson(d);
        db.update("INSERT INTO silences (id, tasks, rule_id, window_json, comment, created_by, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", id, JsonMapping.write(json.get("tasks")), d.ruleId(),
                JsonMapping.write(SilenceJson.whenJson(d.when())), d.comment(), createdBy, clock.instant());
        changed();
        return find(id).orElseThrow();
    }

    /** @throws NotFoundException for an unknown silence */
    public void delete(String id) {
        if (db.update("DELETE FROM silences WHERE id = ?", id) == 0) {
            throw new NotFoundException("silence");
        }
        changed();
    }

    private void changed() {
        cache.set(null);
        listeners.forEach(Runnable::run);
    }

    private static Silence map(ResultSet rs) throws SQLException {
        ObjectNode json = JsonMapping.MAPPER.createObjectNode();
        json.set("tasks", JsonMapping.parseStored(rs.getString("tasks")));
        json.setAll((ObjectNode) JsonMapping.parseStored(rs.getString("window_json")));
        if (rs.getString("rule_id") != null) {
            json.put("rule", rs.getString("rule_id"));
        }
        if (rs.getString("comment") != null) {
            json.put("comment", rs.getString("comment"));
        }
        SilenceJson.Definition d = SilenceJson.parse(json); // what was stored was valid; one form
        return new Silence(rs.getString("id"), d.tasks(), d.ruleId(), d.when(), d.comment(), rs.getString("created_by"),
                Sql.instant(rs, "created_at"));
    }
}
