package dev.vantage.server.tasks;

import dev.vantage.server.errors.Message;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.NotFoundException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.DatabaseException;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.DomainException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tasks, stored as task-spec JSON (secret parameters sealed, see {@link SpecSecrets}) with their selector. Every change bumps the task's
 * revision and, once committed, is told to the {@link TaskChangeListener}s (the agent dispatcher is one).
 */
public final class TaskStore {
    /** The width of the name column (the engine checks id and target against theirs). */
    public static final int MAX_NAME_LENGTH = 256;

    private static final System.Logger LOG = System.getLogger(TaskStore.class.getName());
    private static final String SELECT = "SELECT id, spec, selector, depends_on, enabled, created_by, created_at, updated_at, revision FROM tasks";

    /** One page of tasks and how many there are in all. */
    public record Page(List<StoredTask> items, long total) {
    }

    /** The table, also the first part of where a sealed secret belongs. */
    public static final String TABLE = "tasks";

    private final Database db;
    private final Clock clock;
    private final SpecSecrets secrets;
    private final List<TaskChangeListener> listeners = new CopyOnWriteArrayList<>();

    public TaskStore(Database db, Clock clock, SpecSecrets secrets) {
        this.db = db;
        this.clock = clock;
        this.secrets = secrets;
    }

    public void addListener(TaskChangeListener listener) {
        listeners.add(listener);
    }

    public void removeListener(TaskChangeListener listener) {
        listeners.remove(listener);
    }

    public Optional<StoredTask> find(String id) {
        return db.queryOne(SELECT + " WHERE id = ?", this::map, id);
    }

    /** Every task, enabled or not, oldest first: what a dispatcher loads at start. */
    public List<StoredTask> all() {
        return db.query(SELECT + " ORDER BY created_at, id", this::map);
    }

    public Page list(int limit, int offset) {
        List<StoredTask> items = db.query(SELECT + " ORDER BY created_at, id LIMIT ? OFFSET ?", this::map, limit, offset);
        long total = db.queryOne("SELECT COUNT(*) FROM tasks", rs -> rs.getLong(1)).orElse(0L);
        return new Page(items, total);
    }

    /** @throws ConflictException if a task with this id exists */
    public StoredTask create(TaskSpec spec, Selector selector, List<String> dependsOn, String createdBy) {
        Instant now = clock.instant();
        try {
            db.update("INSERT INTO tasks (id, name, type, target, spec, selector, depends_on, enabled, created_by,"
                            + " created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    spec.id(), spec.name(), spec.type(), spec.target(), secrets.write(TABLE, spec),
                    JsonMapping.write(selector.toJson()), JsonMapping.write(dependsOn), spec.enabled(), createdBy, now, now);
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw new ConflictException(Message.of("task.exists", spec.id()));
            }
            throw e;
        }
        return fireChanged(spec.id());
    }

    /**
     * Replaces a task's spec, selector and dependencies.
     *
     * @param expectedRevision the revision the client last saw, or {@code null} to overwrite whatever is stored
     * @throws NotFoundException for an unknown task; ConflictException if {@code expectedRevision} is no longer current
     */
    public StoredTask update(TaskSpec spec, Selector selector, List<String> dependsOn, Long expectedRevision) {
        String sql = "UPDATE tasks SET name = ?, type = ?, target = ?, spec = ?, selector = ?, depends_on = ?, enabled = ?,"
                + " updated_at = ?, revision = revision + 1 WHERE id = ?" + (expectedRevision == null ? "" : " AND revision = ?");
        List<Object> params = new ArrayList<>(List.of(spec.name(), spec.type(), spec.target(), secrets.write(TABLE, spec),
                JsonMapping.write(selector.toJson()), JsonMapping.write(dependsOn), spec.enabled(), clock.instant(),
                spec.id()));
        if (expectedRevision != null) {
            params.add(expectedRevision);
        }
        if (db.update(sql, params.toArray()) == 0) {
            throw missingOrStale(spec.id());
        }
        return fireChanged(spec.id());
    }

    /** Enables or disables a task (a no-op change still counts as a revision, so clients see it happened). */
    public StoredTask setEnabled(String id, boolean enabled) {
        StoredTask task = find(id).orElseThrow(() -> new NotFoundException("task"));
        TaskSpec spec = task.spec().toBuilder().enabled(enabled).build();
        return update(spec, task.selector(), task.dependsOn(), task.revision());
    }

    /**
     * @throws NotFoundException for an unknown task; ConflictException while other tasks depend on it (deleting it
     *                           would silently change what their alerts mean)
     */
    public void delete(String id) {
        List<String> dependents = dependentsOf(id);
        if (!dependents.isEmpty()) {
            throw new ConflictException(Message.of("task.dependents", String.join(", ", dependents)));
        }
        if (db.update("DELETE FROM tasks WHERE id = ?", id) == 0) {
            throw new NotFoundException("task");
        }
        for (TaskChangeListener l : listeners) {
            try {
                l.removed(id);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "task listener failed on removal of " + id, e);
            }
        }
    }

    /** The tasks that name {@code id} in their dependsOn. */
    public List<String> dependentsOf(String id) {
        // the database picks the few rows whose JSON holds the id as a string (deleting many tasks one by one must not
        // parse every task's list each time); the parse below drops a look-alike inside another id
        String quoted = "%" + JsonMapping.write(id).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return db.query("SELECT id, depends_on FROM tasks WHERE depends_on LIKE ? ESCAPE '\\' ORDER BY id", rs -> {
            List<String> on = strings(rs.getString("depends_on"));
            return on.contains(id) ? rs.getString("id") : null;
        }, quoted).stream().filter(java.util.Objects::nonNull).toList();
    }

    private static List<String> strings(String json) {
        List<String> out = new ArrayList<>();
        JsonMapping.parseStored(json).forEach(n -> out.add(n.asText()));
        return out;
    }

    private DomainException missingOrStale(String id) {
        return find(id).isPresent()
                ? new ConflictException(Message.of("stale.task"))
                : new NotFoundException("task");
    }

    private StoredTask fireChanged(String id) {
        StoredTask task = find(id).orElseThrow(() -> new NotFoundException("task"));
        for (TaskChangeListener l : listeners) {
            try {
                l.changed(task);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "task listener failed on " + id, e);
            }
        }
        return task;
    }

    private StoredTask map(ResultSet rs) throws SQLException {
        TaskSpec spec = secrets.read(TABLE, rs.getString("id"), rs.getString("spec")).toBuilder().enabled(rs.getBoolean("enabled")).build();
        List<dev.vantage.server.errors.FieldError> ignored = new ArrayList<>();
        JsonNode selector = JsonMapping.parseStored(rs.getString("selector"));
        return new StoredTask(spec, Selector.parse(selector, ignored), strings(rs.getString("depends_on")),
                rs.getString("created_by"),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"), rs.getLong("revision"));
    }
}
