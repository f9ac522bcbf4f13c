package dev.vantage.server.agents.rollouts;

import dev.vantage.server.db.Database;
import dev.vantage.server.db.DatabaseException;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.Message;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Rollouts and their agents ({@code agent_rollouts}, {@code agent_rollout_targets}, migrations V22 and V24). Every
 * change of state is a conditional update, so replicas advancing the same rollout at once agree: only one of them
 * moves it; and the database holds at most one running rollout.
 */
public final class RolloutStore {
    private final Database db;
    private final Clock clock;

    public RolloutStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Creates a running rollout whose wave 0 agents are updating; {@code waves.get(i)} is agent i's wave.
     *
     * @throws ConflictException while another rollout runs: the database allows one (migration V24), so of two
     *                           concurrent starts one fails here, whichever replica they reached
     */
    public Rollout create(String version, String selectorJson, int percent, Duration agentTimeout, String createdBy,
                          List<String> agentIds, List<Integer> waves) {
        String id = UUID.randomUUID().toString();
        var now = clock.instant();
        try {
            insert(id, version, selectorJson, percent, agentTimeout, createdBy, agentIds, waves, now);
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw new ConflictException(Message.of("rollout.running"));
            }
            throw e;
        }
        return find(id).orElseThrow();
    }

    private void insert(String id, String version, String selectorJson, int percent, Duration agentTimeout,
                        String createdBy, List<String> agentIds, List<Integer> waves, java.time.Instant now) {
        db.inTransaction(c -> {
            Sql.update(c, "INSERT INTO agent_rollouts (id, version, selector, percent, agent_timeout_ms, state, running,"
                    + " wave, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, TRUE, 0, ?, ?, ?)", id, version,
                    selectorJson, percent, agentTimeout.toMillis(), Rollout.RUNNING, createdBy, now, now);
            for (int i = 0; i < agentIds.size(); i++) {
                Sql.update(c, "INSERT INTO agent_rollout_targets (rollout_id, agent_id, position, wave, state,"
                        + " updated_at) VALUES (?, ?, ?, ?, ?, ?)", id, agentIds.get(i), i, waves.get(i),
                        waves.get(i) == 0 ? Rollout.UPDATING : Rollout.PENDING, now);
            }
            return null;
        });
    }

    public Optional<Rollout> find(String id) {
        return db.withConnection(c -> {
            Optional<Rollout> r = Sql.queryOne(c, SELECT + " WHERE id = ?", rs -> map(rs, List.of()), id);
            if (r.isEmpty()) {
                return r;
            }
            List<Rollout.Target> targets = Sql.query(c, "SELECT agent_id, position, wave, state, step, reason, reason_data,"
                    + " updated_at"
                    + " FROM agent_rollout_targets WHERE rollout_id = ? ORDER BY position", RolloutStore::target, id);
            Rollout x = r.get();
            return Optional.of(new Rollout(x.id(), x.version(), x.selector(), x.percent(), x.agentTimeout(), x.state(),
                    x.wave(), x.reason(), x.createdBy(), x.createdAt(), x.updatedAt(), targets));
        });
    }

    /** Every rollout, newest first, with its agents. */
    public List<Rollout> list() {
        return db.query("SELECT id FROM agent_rollouts ORDER BY created_at DESC", rs -> rs.getString(1)).stream()
                .map(this::find).flatMap(Optional::stream).toList();
    }

    /** The ids of running rollouts. */
    public List<String> running() {
        return db.query("SELECT id FROM agent_rollouts WHERE state = ?", rs -> rs.getString(1), Rollout.RUNNING);
    }

    /** Whether a running rollout installs {@code version}. */
    public boolean rollingOut(String version) {
        return db.queryOne("SELECT id FROM agent_rollouts WHERE state = ? AND version = ?", rs -> rs.getString(1),
                Rollout.RUNNING, version).isPresent();
    }

    /** Ends a running rollout in {@code state}; false if it was not running any more. */
    public boolean end(String id, String state, Message reason) {
        return db.update("UPDATE agent_rollouts SET state = ?, running = NULL, reason = ?, reason_data = ?, updated_at = ?"
                        + " WHERE id = ? AND state = ?",
                state, english(reason), json(reason), clock.instant(), id, Rollout.RUNNING) > 0;
    }

    /** Moves a running rollout from wave {@code from} to {@code to} and starts that wave's agents; false if moved already. */
    public boolean advance(String id, int from, int to) {
        return db.inTransaction(c -> {
            var now = clock.instant();
            if (Sql.update(c, "UPDATE agent_rollouts SET wave = ?, updated_at = ? WHERE id = ? AND wave = ? AND state = ?",
                    to, now, id, from, Rollout.RUNNING) == 0) {
                return false;
            }
            Sql.update(c, "UPDATE agent_rollout_targets SET state = ?, updated_at = ? WHERE rollout_id = ? AND wave = ?"
                    + " AND state = ?", Rollout.UPDATING, now, id, to, Rollout.PENDING);
            return true;
        });
    }

    /**
     * Records what an agent reported (or a timeout) for an agent that is updating in a running rollout of
     * {@code version}; returns the rollout's id, if there was such an agent.
     */
    public Optional<String> report(String agentId, String version, String state, String step, Message reason) {
        return db.inTransaction(c -> {
            Optional<String> id = Sql.queryOne(c, "SELECT r.id FROM agent_rollouts r JOIN agent_rollout_targets t"
                    + " ON t.rollout_id = r.id WHERE r.state = ? AND r.version = ? AND t.agent_id = ? AND t.state = ?",
                    rs -> rs.getString(1), Rollout.RUNNING, version, agentId, Rollout.UPDATING);
            if (id.isPresent()) {
                Sql.update(c, "UPDATE agent_rollout_targets SET state = ?, step = ?, reason = ?, reason_data = ?,"
                        + " updated_at = ? WHERE rollout_id = ? AND agent_id = ? AND state = ?", state, step,
                        english(reason), json(reason), clock.instant(), id.get(), agentId, Rollout.UPDATING);
            }
            return id;
        });
    }

    private static final String SELECT = "SELECT id, version, selector, percent, agent_timeout_ms, state, wave, reason,"
            + " reason_data, created_by, created_at, updated_at FROM agent_rollouts";

    /** A reason is kept in English (for older readers and logs) and as its message, told in each reader's language. */
    private static String english(Message reason) {
        return reason == null ? null : reason.toString();
    }

    private static String json(Message reason) {
        return reason == null ? null : reason.toJson();
    }

    private static Rollout map(ResultSet rs, List<Rollout.Target> targets) throws SQLException {
        return new Rollout(rs.getString("id"), rs.getString("version"), rs.getString("selector"), rs.getInt("percent"),
                Duration.ofMillis(rs.getLong("agent_timeout_ms")), rs.getString("state"), rs.getInt("wave"),
                Message.stored(rs.getString("reason"), rs.getString("reason_data")), rs.getString("created_by"), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "updated_at"), targets);
    }

    private static Rollout.Target target(ResultSet rs) throws SQLException {
        return new Rollout.Target(rs.getString("agent_id"), rs.getInt("position"), rs.getInt("wave"),
                rs.getString("state"), rs.getString("step"), Message.stored(rs.getString("reason"), rs.getString("reason_data")),
                Sql.instant(rs, "updated_at"));
    }
}
