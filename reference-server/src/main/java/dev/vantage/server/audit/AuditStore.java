package dev.vantage.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.json.JsonMapping;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit log ({@code audit_log}, migration V16). Append-only for the application: rows are inserted and read;
 * only retention deletes, by age.
 */
public final class AuditStore {
    /** One recorded change; {@code before}/{@code after} are the API's (masked) JSON, or {@code null}. */
    public record Entry(long id, Instant at, String actorUserId, String actorUsername, String actorTokenId,
                        String clientAddress, String action, String objectType, String objectId, int status,
                        JsonNode before, JsonNode after) {
    }

    /** What to list; {@code null} fields do not filter. {@code to} is exclusive. */
    public record Filter(String actor, String objectType, String objectId, Instant from, Instant to) {
    }

    public record Page(List<Entry> items, long total) {
    }

    private final Database db;

    public AuditStore(Database db) {
        this.db = db;
    }

    public void append(Instant at, String actorUserId, String actorUsername, String actorTokenId, String clientAddress,
                       String action, String objectType, String objectId, int status, String beforeJson,
                       String afterJson) {
        db.update("INSERT INTO audit_log (at, actor_user_id, actor_username, actor_token_id, client_address, action,"
                        + " object_type, object_id, status, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                at, actorUserId, actorUsername, actorTokenId, clientAddress, action, objectType, objectId, status,
                beforeJson, afterJson);
    }

    /** Newest first. */
    public Page list(Filter f, int limit, int offset) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        condition(where, params, "actor_username = ?", f.actor());
        condition(where, params, "object_type = ?", f.objectType());
        condition(where, params, "object_id = ?", f.objectId());
        condition(where, params, "at >= ?", f.from());
        condition(where, params, "at < ?", f.to());
        long total = db.queryOne("SELECT COUNT(*) FROM audit_log" + where, rs -> rs.getLong(1), params.toArray()).orElse(0L);
        List<Object> paged = new ArrayList<>(params);
        paged.add(limit);
        paged.add(offset);
        List<Entry> items = db.query("SELECT * FROM audit_log" + where + " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
                AuditStore::map, paged.toArray());
        return new Page(items, total);
    }

    /** Retention: deletes the rows older than {@code cutoff}; returns how many. */
    public int deleteOlderThan(Instant cutoff) {
        return db.update("DELETE FROM audit_log WHERE at < ?", cutoff);
    }

    private static void condition(StringBuilder where, List<Object> params, String sql, Object value) {
        if (value != null) {
            where.append(" AND ").append(sql);
            params.add(value);
        }
    }

    private static Entry map(ResultSet rs) throws SQLException {
        return new Entry(rs.getLong("id"), Sql.instant(rs, "at"), rs.getString("actor_user_id"),
                rs.getString("actor_username"), rs.getString("actor_token_id"), rs.getString("client_address"),
                rs.getString("action"), rs.getString("object_type"), rs.getString("object_id"), rs.getInt("status"),
                json(rs.getString("before_json")), json(rs.getString("after_json")));
    }

    private static JsonNode json(String text) {
        return text == null ? null : JsonMapping.parseStored(text);
    }
}
