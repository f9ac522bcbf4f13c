package dev.vantage.server.auth;

import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import dev.vantage.server.security.Secrets;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Long-lived API tokens for scripts: {@code vat_} plus 32 random bytes, shown once, stored as a SHA-256 digest.
 * A token acts with the lower of its own role and its owner's current role, and stops working when revoked,
 * expired, or when its owner is disabled.
 */
public final class ApiTokens {
    public static final String PREFIX = "vat_";
    // last_used_at is a hint, not an audit log: write it at most once a minute per token
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    /** A token without its secret. */
    public record ApiToken(String id, String userId, String username, String name, Role role, Instant createdAt,
                           Instant expiresAt, Instant revokedAt, Instant lastUsedAt) {
    }

    /** A newly created token and its secret, which is never available again. */
    public record Created(ApiToken token, String secret) {
    }

    private static final String SELECT = """
            SELECT t.id, t.user_id, u.username, t.name, t.role, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
            FROM api_tokens t JOIN users u ON u.id = t.user_id""";

    private final Database db;
    private final Clock clock;

    public ApiTokens(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Created create(String userId, String name, Role role, Duration lifetime) {
        String id = UUID.randomUUID().toString();
        String secret = Secrets.randomToken(PREFIX);
        Instant now = clock.instant();
        db.update("INSERT INTO api_tokens (id, user_id, name, role, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                id, userId, name, role, Secrets.sha256Hex(secret), now, now.plus(lifetime));
        return new Created(find(id).orElseThrow(), secret);
    }

    public Optional<ApiToken> find(String id) {
        return db.queryOne(SELECT + " WHERE t.id = ?", ApiTokens::map, id);
    }

    /** Every token of {@code userId}, or of everyone when {@code userId} is null; newest first. */
    public List<ApiToken> list(String userId) {
        return userId == null
                ? db.query(SELECT + " ORDER BY t.created_at DESC, t.id", ApiTokens::map)
                : db.query(SELECT + " WHERE t.user_id = ? ORDER BY t.created_at DESC, t.id", ApiTokens::map, userId);
    }

    /** Revokes a token; false if it does not exist or was already revoked. */
    public boolean revoke(String id) {
        return db.update("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", clock.instant(), id) == 1;
    }

    /** The principal a presented secret stands for, if it is a live token of an enabled user. */
    public Optional<Principal> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Optional<ApiToken> found = db.queryOne(SELECT + " WHERE t.token_hash = ?", ApiTokens::map, Secrets.sha256Hex(secret));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ApiToken t = found.get();
        if (t.revokedAt() != null || (t.expiresAt() != null && !t.expiresAt().isAfter(now))) {
            return Optional.empty();
        }
        Optional<Owner> owner = db.queryOne("SELECT role, disabled FROM users WHERE id = ?",
                rs -> new Owner(Role.parse(rs.getString("role")), rs.getBoolean("disabled")), t.userId());
        if (owner.isEmpty() || owner.get().disabled()) {
            return Optional.empty();
        }
        if (t.lastUsedAt() == null || t.lastUsedAt().plus(LAST_USED_GRANULARITY).isBefore(now)) {
            db.update("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, t.id());
        }
        return Optional.of(new Principal(t.userId(), t.username(), t.role().min(owner.get().role()), null, t.id()));
    }

    private record Owner(Role role, boolean disabled) {
    }

    private static ApiToken map(ResultSet rs) throws SQLException {
        return new ApiToken(rs.getString("id"), rs.getString("user_id"), rs.getString("username"), rs.getString("name"),
                Role.parse(rs.getString("role")), Sql.instant(rs, "created_at"), Sql.instant(rs, "expires_at"),
                Sql.instant(rs, "revoked_at"), Sql.instant(rs, "last_used_at"));
    }
}
