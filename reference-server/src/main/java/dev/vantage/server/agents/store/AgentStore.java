package dev.vantage.server.agents.store;

import dev.vantage.server.json.JsonMapping;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.vantage.agent.protocol.Message.AgentStats;
import dev.vantage.agent.protocol.Message.Capabilities;
import dev.vantage.server.security.Secrets;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The {@code agents} table: identities, hashed credentials, labels, policies and what agents last reported. */
public final class AgentStore {
    static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() { };
    private static final String COLUMNS = "id, name, labels, policy, version, capabilities, stats, online, last_seen, "
            + "created_at, revoked_at";

    private final Database db;
    private final Clock clock;
    private final String replicaId;

    /** @param replicaId this server replica, recorded as the holder of the agents connected to it */
    public AgentStore(Database db, Clock clock, String replicaId) {
        this.db = db;
        this.clock = clock;
        this.replicaId = replicaId;
    }

    /** A new agent and its credential, which is returned here once and stored only as a hash. */
    public record Created(AgentRecord agent, String credential) {
    }

    public Created create(String name, Map<String, String> labels, AgentPolicy policy) {
        String id = UUID.randomUUID().toString();
        String credential = Secrets.randomToken("vac_");
        db.update("INSERT INTO agents (id, name, credential_hash, labels, policy, version, online, created_at) "
                + "VALUES (?, ?, ?, ?, ?, '', FALSE, ?)", id, name, Secrets.sha256Hex(credential), JsonMapping.write(labels),
                JsonMapping.write(policy), clock.instant());
        return new Created(get(id).orElseThrow(), credential);
    }

    /** The agent whose credential this is, unless it is wrong or the agent was revoked. */
    public Optional<AgentRecord> authenticate(String agentId, String credential) {
        String stored = db.queryOne("SELECT credential_hash FROM agents WHERE id = ? AND revoked_at IS NULL",
                rs -> rs.getString(1), agentId).orElse(null);
        // compare hashes in constant time; an unknown id costs the same as a wrong credential
        String actual = Secrets.sha256Hex(credential == null ? "" : credential);
        return Secrets.constantTimeEquals(actual, stored == null ? "-" : stored) ? get(agentId) : Optional.empty();
    }

    public Optional<AgentRecord> get(String id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM agents WHERE id = ?", AgentStore::read, id);
    }

    /** Every agent, revoked ones included, oldest first. */
    public List<AgentRecord> list() {
        return db.query("SELECT " + COLUMNS + " FROM agents ORDER BY created_at, id", AgentStore::read);
    }

    public void hello(String id, String version, Capabilities capabilities) {
        db.update("UPDATE agents SET version = ?, capabilities = ?, online = TRUE, last_seen = ?, replica = ? WHERE id = ?",
                version, JsonMapping.write(capabilities), clock.instant(), replicaId, id);
    }

    /** Also claims the agent for this replica: the one hearing its heartbeats holds its connection. */
    public void heartbeat(String id, AgentStats stats) {
        db.update("UPDATE agents SET stats = ?, last_seen = ?, online = TRUE, replica = ? WHERE id = ?", JsonMapping.write(stats),
                clock.instant(), replicaId, id);
    }

    /** Marks the agent offline unless another replica holds a newer connection of it. */
    public void offline(String id) {
        db.update("UPDATE agents SET online = FALSE, last_seen = ? WHERE id = ? AND replica = ?", clock.instant(), id,
                replicaId);
    }

    /** Marks every agent offline: at start-up of the only server no connection is open yet. */
    public void allOffline() {
        db.update("UPDATE agents SET online = FALSE WHERE online = TRUE");
    }

    /** The agents that were online and heard from since {@code since}, as any replica sees them. */
    public List<AgentRecord> online(java.time.Instant since) {
        return db.query("SELECT " + COLUMNS + " FROM agents WHERE online = TRUE AND revoked_at IS NULL AND last_seen >= ?"
                + " ORDER BY id", AgentStore::read, since);
    }

    public boolean labels(String id, Map<String, String> labels) {
        return db.update("UPDATE agents SET labels = ? WHERE id = ? AND revoked_at IS NULL", JsonMapping.write(labels), id) == 1;
    }

    public boolean policy(String id, AgentPolicy policy) {
        return db.update("UPDATE agents SET policy = ? WHERE id = ? AND revoked_at IS NULL", JsonMapping.write(policy), id) == 1;
    }

    public boolean revoke(String id) {
        return db.update("UPDATE agents SET revoked_at = ?, online = FALSE WHERE id = ? AND revoked_at IS NULL",
                clock.instant(), id) == 1;
    }

    /** Removes a revoked agent for good (a live one must be revoked first, so its connection is closed). */
    public boolean delete(String id) {
        return db.update("DELETE FROM agents WHERE id = ? AND revoked_at IS NOT NULL", id) == 1;
    }

    private static AgentRecord read(ResultSet rs) throws SQLException {
        return new AgentRecord(rs.getString("id"), rs.getString("name"), parse(rs.getString("labels"), LABELS),
                parse(rs.getString("policy"), AgentPolicy.class), rs.getString("version"),
                parse(rs.getString("capabilities"), Capabilities.class), parse(rs.getString("stats"), AgentStats.class),
                rs.getBoolean("online"), Sql.instant(rs, "last_seen"), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "revoked_at"));
    }

    static <T> T parse(String text, Class<T> type) {
        return text == null ? null : JsonMapping.MAPPER.convertValue(JsonMapping.parseStored(text), type);
    }

    static <T> T parse(String text, TypeReference<T> type) {
        return text == null ? null : JsonMapping.MAPPER.convertValue(JsonMapping.parseStored(text), type);
    }
}
