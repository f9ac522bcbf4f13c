package dev.vantage.server.agents.store;

import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.Secrets;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Enrollment tokens: what an operator hands to a new agent. Each is good for {@code uses} enrollments until it
 * expires; the agents it enrolls get its labels and policy. Stored as a hash; the token itself is shown once.
 */
public final class EnrollmentTokenStore {
    private static final String COLUMNS = "id, labels, policy, uses_left, expires_at, created_by, created_at, revoked_at";

    private final Database db;
    private final Clock clock;

    public EnrollmentTokenStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A token as listed (no secret). */
    public record TokenInfo(String id, Map<String, String> labels, AgentPolicy policy, int usesLeft, Instant expiresAt,
                            String createdBy, Instant createdAt, Instant revokedAt) {
    }

    /** What an enrollment may use: the token's labels and policy. */
    public record Grant(String tokenId, Map<String, String> labels, AgentPolicy policy) {
    }

    /** A new token; {@code token} is the only time the secret is seen. */
    public record Created(TokenInfo info, String token) {
    }

    public Created create(Map<String, String> labels, AgentPolicy policy, int uses, Instant expiresAt, String createdBy) {
        String id = UUID.randomUUID().toString();
        String token = Secrets.randomToken("vet_");
        db.update("INSERT INTO enrollment_tokens (id, token_hash, labels, policy, uses_left, expires_at, created_by, "
                + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, Secrets.sha256Hex(token), JsonMapping.write(labels),
                JsonMapping.write(policy), uses, expiresAt, createdBy, clock.instant());
        return new Created(get(id).orElseThrow(), token);
    }

    public Optional<TokenInfo> get(String id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM enrollment_tokens WHERE id = ?", EnrollmentTokenStore::read, id);
    }

    /**
     * Uses the token once, if it is valid: not revoked, not expired, uses left. The decrement is one conditional
     * UPDATE, so two agents racing for the last use cannot both win.
     */
    public Optional<Grant> consume(String token) {
        String hash = Secrets.sha256Hex(token == null ? "" : token);
        return db.inTransaction(c -> {
            int used = Sql.update(c, "UPDATE enrollment_tokens SET uses_left = uses_left - 1 "
                    + "WHERE token_hash = ? AND uses_left > 0 AND revoked_at IS NULL AND expires_at > ?", hash, clock.instant());
            if (used != 1) {
                return Optional.empty();
            }
            return Sql.queryOne(c, "SELECT id, labels, policy FROM enrollment_tokens WHERE token_hash = ?",
                    rs -> new Grant(rs.getString(1), AgentStore.parse(rs.getString(2), AgentStore.LABELS),
                            AgentStore.parse(rs.getString(3), AgentPolicy.class)), hash);
        });
    }

    /** @param all also the tokens that can no longer enrol anyone (used up, expired, revoked) */
    public List<TokenInfo> list(boolean all) {
        return db.query("SELECT " + COLUMNS + " FROM enrollment_tokens"
                + (all ? "" : " WHERE uses_left > 0 AND revoked_at IS NULL AND expires_at > ?")
                + " ORDER BY created_at, id", EnrollmentTokenStore::read, all ? new Object[0] : new Object[] {clock.instant()});
    }

    /** Deletes the tokens that can no longer enrol anyone; answers how many. */
    public int purgeSpent() {
        return db.update("DELETE FROM enrollment_tokens WHERE uses_left <= 0 OR revoked_at IS NOT NULL OR expires_at <= ?",
                clock.instant());
    }

    public boolean revoke(String id) {
        return db.update("UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                clock.instant(), id) == 1;
    }

    private static TokenInfo read(ResultSet rs) throws SQLException {
        return new TokenInfo(rs.getString("id"), AgentStore.parse(rs.getString("labels"), AgentStore.LABELS),
                AgentStore.parse(rs.getString("policy"), AgentPolicy.class), rs.getInt("uses_left"),
                Sql.instant(rs, "expires_at"), rs.getString("created_by"), Sql.instant(rs, "created_at"),
                Sql.instant(rs, "revoked_at"));
    }
}
