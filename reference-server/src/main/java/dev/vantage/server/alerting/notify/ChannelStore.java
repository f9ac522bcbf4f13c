package dev.vantage.server.alerting.notify;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.alerting.channels.ChannelType;
import dev.vantage.server.alerting.channels.ChannelTypes;
import dev.vantage.server.alerting.channels.Templates;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.secrets.SecretBox;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Notification channels as configured, settings as their type validated them, the type's secret fields sealed by the
 * {@link SecretBox} for their row and name.
 */
public final class ChannelStore {
    /** The table, also the first part of where a sealed secret belongs. */
    public static final String TABLE = "alert_channels";

    private static final String SELECT = "SELECT id, name, type, language, settings, templates, enabled, created_by, created_at,"
            + " updated_at, revision FROM alert_channels";

    /** A channel as stored; {@code settings} holds its secrets in the clear: never answer it as it is. */
    public record StoredChannel(String id, String name, String type, String language, ObjectNode settings,
                                Templates templates, boolean enabled, String createdBy, Instant createdAt, Instant updatedAt, long revision) {
    }

    /** What a client sets. */
    public record Input(String name, String type, String language, ObjectNode settings, Templates templates,
                        boolean enabled) {
    }

    private final Database db;
    private final Clock clock;
    private final SecretBox box;

    public ChannelStore(Database db, Clock clock, SecretBox box) {
        this.db = db;
        this.clock = clock;
        this.box = box;
    }

    public Optional<StoredChannel> find(String id) {
        return db.queryOne(SELECT + " WHERE id = ?", this::map, id);
    }

    public List<StoredChannel> all() {
        return db.query(SELECT + " ORDER BY created_at, id", this::map);
    }

    public StoredChannel create(Input in, String createdBy) {
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        db.update("INSERT INTO alert_channels (id, name, type, language, settings, templates, enabled, created_by,"
                + " created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", id, in.name(), in.type(),
                in.language(), sealed(id, in), JsonMapping.write(in.templates().overrides()),
                in.enabled(), createdBy, now, now);
        return find(id).orElseThrow();
    }

    /**
     * @throws NotFoundException for an unknown channel; ConflictException if {@code expectedRevision} is not current
     */
    public StoredChannel update(String id, Input in, Long expectedRevision) {
        List<Object> params = new ArrayList<>(List.of(in.name(), in.type(), in.language(), sealed(id, in),
                JsonMapping.write(in.templates().overrides()), in.enabled(), clock.instant(), id));
        if (expectedRevision != null) {
            params.add(expectedRevision);
        }
        if (db.update("UPDATE alert_channels SET name = ?, type = ?, language = ?, settings = ?, templates = ?, enabled = ?,"
                + " updated_at = ?,"
                + " revision = revision + 1 WHERE id = ?" + (expectedRevision == null ? "" : " AND revision = ?"),
                params.toArray()) == 0) {
            throw find(id).isPresent() ? new ConflictException(Message.of("stale.channel"))
                    : new NotFoundException("channel");
        }
        return find(id).orElseThrow();
    }

    /** @throws NotFoundException for an unknown channel */
    public void delete(String id) {
        if (db.update("DELETE FROM alert_channels WHERE id = ?", id) == 0) {
            throw new NotFoundException("channel");
        }
    }

    /**
     * The stored settings with every secret field sealed with the current key (plaintext ones too), or a null
     * {@code json} when all already are: what {@code rotate-secrets} writes back.
     */
    public static SecretBox.Resealed reseal(SecretBox box, String id, String type, String stored) {
        ObjectNode settings = (ObjectNode) JsonMapping.parseStored(stored);
        int changed = box.resealFields(settings, secretFields(type), where(id));
        return new SecretBox.Resealed(changed == 0 ? null : JsonMapping.write(settings), changed);
    }

    private String sealed(String id, Input in) {
        ObjectNode settings = in.settings().deepCopy();
        box.sealFields(settings, secretFields(in.type()), where(id));
        return JsonMapping.write(settings);
    }

    private static Set<String> secretFields(String type) {
        return ChannelTypes.byId(type).map(ChannelType::secretFields).orElse(Set.of());
    }

    private static String where(String id) {
        return TABLE + "/" + id + "/settings.";
    }

    /** Stored templates were checked when set. */
    private static Templates templates(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonMapping.parseStored(json).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return new Templates(out);
    }

    private StoredChannel map(ResultSet rs) throws SQLException {
        ObjectNode settings = (ObjectNode) JsonMapping.parseStored(rs.getString("settings"));
        box.openFields(settings, secretFields(rs.getString("type")), where(rs.getString("id")));
        return new StoredChannel(rs.getString("id"), rs.getString("name"), rs.getString("type"), rs.getString("language"),
                settings, templates(rs.getString("templates")),
                rs.getBoolean("enabled"),
                rs.getString("created_by"), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"),
                rs.getLong("revision"));
    }
}
