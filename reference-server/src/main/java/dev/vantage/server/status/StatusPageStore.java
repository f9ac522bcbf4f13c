package dev.vantage.server.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.json.JsonMapping;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Status pages ({@code status_pages}, migration V14), their definition stored in its JSON form. */
public final class StatusPageStore {
    private final Database db;
    private final Clock clock;

    public StatusPageStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public List<StatusPage> all() {
        return db.query("SELECT id, definition, created_at, updated_at FROM status_pages ORDER BY slug", StatusPageStore::map);
    }

    public Optional<StatusPage> find(String id) {
        return db.queryOne("SELECT id, definition, created_at, updated_at FROM status_pages WHERE id = ?", StatusPageStore::map, id);
    }

    public Optional<StatusPage> bySlug(String slug) {
        return db.queryOne("SELECT id, definition, created_at, updated_at FROM status_pages WHERE slug = ?", StatusPageStore::map, slug);
    }

    public StatusPage create(StatusPage.Definition d) {
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        db.update("INSERT INTO status_pages (id, slug, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                id, d.slug(), JsonMapping.write(StatusPage.toJson(d)), now, now);
        return find(id).orElseThrow();
    }

    /** @throws NotFoundException for an unknown page */
    public StatusPage update(String id, StatusPage.Definition d) {
        if (db.update("UPDATE status_pages SET slug = ?, definition = ?, updated_at = ? WHERE id = ?", d.slug(),
                JsonMapping.write(StatusPage.toJson(d)), clock.instant(), id) == 0) {
            throw new NotFoundException("status page");
        }
        return find(id).orElseThrow();
    }

    /** @throws NotFoundException for an unknown page */
    public void delete(String id) {
        if (db.update("DELETE FROM status_pages WHERE id = ?", id) == 0) {
            throw new NotFoundException("status page");
        }
    }

    private static StatusPage map(ResultSet rs) throws SQLException {
        // what was stored was valid; tasks deleted since stay on the page and show as unknown
        StatusPage.Definition d = StatusPage.parse((ObjectNode) JsonMapping.parseStored(rs.getString("definition")), t -> true);
        return new StatusPage(rs.getString("id"), d, Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }
}
