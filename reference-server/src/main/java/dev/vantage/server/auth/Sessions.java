package dev.vantage.server.auth;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.security.Secrets;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Login sessions. Each login is one row; its access and refresh JWTs carry the row's id ({@code sid}), so revoking
 * the row ends both at once. Refresh tokens rotate: only the digest of the latest is stored, and presenting an
 * older one (a sign it was stolen) revokes the whole session. A session ends when it is not refreshed for the refresh
 * token's lifetime (idle) and in any case {@code maxAge} after its login (absolute), whichever comes first: then
 * the user signs in again (OWASP ASVS 3.3.2).
 */
public final class Sessions {
    /**
     * What login and refresh return. {@code expiresIn} is the access token's lifetime in seconds;
     * {@code passwordChangeRequired} tells a login whose password the policy now refuses (ASVS 2.1.7).
     */
    public record TokenPair(String accessToken, String refreshToken, long expiresIn, String tokenType,
                            boolean passwordChangeRequired) {
        TokenPair(String accessToken, String refreshToken, long expiresIn) {
            this(accessToken, refreshToken, expiresIn, "Bearer", false);
        }

        public TokenPair requiringPasswordChange() {
            return new TokenPair(accessToken, refreshToken, expiresIn, tokenType, true);
        }
    }

    private final Database db;
    private final JwtService jwt;
    private final Duration maxAge;
    private final Clock clock;

    public Sessions(Database db, JwtService jwt, Duration maxAge, Clock clock) {
        this.db = db;
        this.jwt = jwt;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Starts a session for a user whose password was just checked. */
    public TokenPair start(String userId) {
        return db.inTransaction(c -> start(c, userId));
    }

    /** Starts a session inside the caller's transaction (after a password change, say). */
    public TokenPair start(Connection c, String userId) throws SQLException {
        int version = Sql.queryOne(c, "SELECT token_version FROM users WHERE id = ?", rs -> rs.getInt(1), userId)
                .orElseThrow(NotAuthenticatedException::new);
        String sessionId = UUID.randomUUID().toString();
        String refresh = jwt.issue(JwtService.Use.REFRESH, userId, sessionId, version);
        Instant now = clock.instant();
        Sql.update(c, "INSERT INTO sessions (id, user_id, refresh_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                sessionId, userId, Secrets.sha256Hex(refresh), now, expiry(now, now));
        return pair(userId, sessionId, version, refresh);
    }

    /**
     * Trades a refresh token for a new pair; the presented one stops working.
     *
     * @throws NotAuthenticatedException if the token is invalid, expired, already used, or its session is revoked
     */
    public TokenPair refresh(String refreshToken) {
        JwtService.Claims claims = jwt.verify(refreshToken, JwtService.Use.REFRESH);
        String presented = Secrets.sha256Hex(refreshToken);
        // returns null when the token was reused: the revocation must commit, so the 401 is thrown after it
        TokenPair pair = db.inTransaction(c -> {
            var row = Sql.queryOne(c, """
                    SELECT s.user_id, s.refresh_hash, s.created_at, s.expires_at, s.revoked_at, u.token_version, u.disabled
                    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?""",
                    rs -> new SessionRow(rs.getString("user_id"), rs.getString("refresh_hash"),
                            Sql.instant(rs, "created_at"), Sql.instant(rs, "expires_at"), Sql.instant(rs, "revoked_at"),
                            rs.getInt("token_version"), rs.getBoolean("disabled")),
                    claims.sessionId()).orElseThrow(NotAuthenticatedException::new);
            Instant now = clock.instant();
            if (!row.userId().equals(claims.userId()) || row.revokedAt() != null || !row.expiresAt().isAfter(now)
                    || row.disabled() || row.tokenVersion() != claims.tokenVersion()) {
                throw new NotAuthenticatedException();
            }
            if (!Secrets.constantTimeEquals(row.refreshHash(), presented)) {
                Sql.update(c, "UPDATE sessions SET revoked_at = ? WHERE id = ?", now, claims.sessionId());
                return null;
            }
            String next = jwt.issue(JwtService.Use.REFRESH, row.userId(), claims.sessionId(), row.tokenVersion());
            int changed = Sql.update(c, "UPDATE sessions SET refresh_hash = ?, expires_at = ? WHERE id = ? AND refresh_hash = ?",
                    Secrets.sha256Hex(next), expiry(row.createdAt(), now), claims.sessionId(), presented);
            if (changed != 1) {
                throw new NotAuthenticatedException(); // a concurrent refresh with the same token won
            }
            return pair(row.userId(), claims.sessionId(), row.tokenVersion(), next);
        });
        if (pair == null) {
            throw new NotAuthenticatedException(Message.of("auth.refreshReused"));
        }
        return pair;
    }

    /** A live session as its user sees it; {@code expiresAt} moves with each refresh up to the maximum age. */
    public record SessionView(String id, Instant createdAt, Instant expiresAt, boolean current) {
    }

    /** The user's live sessions, newest first; {@code currentId} (the caller's own, or null) is marked. */
    public List<SessionView> liveOf(String userId, String currentId) {
        return db.query("""
                SELECT id, created_at, expires_at FROM sessions
                WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id""",
                rs -> new SessionView(rs.getString("id"), Sql.instant(rs, "created_at"), Sql.instant(rs, "expires_at"),
                        rs.getString("id").equals(currentId)), userId, clock.instant());
    }

    /**
     * Revokes the user's live session {@code id}, or every live one but {@code keepId} when {@code id} is null;
     * another user's session is left alone. Returns how many ended.
     */
    public int revokeOf(String userId, String id, String keepId) {
        Instant now = clock.instant();
        String live = " AND revoked_at IS NULL AND expires_at > ?";
        return id != null
                ? db.update("UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ?" + live, now, id, userId, now)
                : db.update("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ?" + live, now, userId, keepId, now);
    }

    /** Revokes a session: its access and refresh tokens stop working at once. */
    public void revoke(String sessionId) {
        db.update("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", clock.instant(), sessionId);
    }

    /** When a session begun at {@code createdAt} ends if not refreshed after {@code now}: idle or absolute limit. */
    private Instant expiry(Instant createdAt, Instant now) {
        Instant idle = now.plus(jwt.refreshTtl());
        Instant absolute = createdAt.plus(maxAge);
        return idle.isBefore(absolute) ? idle : absolute;
    }

    private TokenPair pair(String userId, String sessionId, int version, String refresh) {
        String access = jwt.issue(JwtService.Use.ACCESS, userId, sessionId, version);
        return new TokenPair(access, refresh, jwt.accessTtl().toSeconds());
    }

    private record SessionRow(String userId, String refreshHash, Instant createdAt, Instant expiresAt, Instant revokedAt,
                              int tokenVersion, boolean disabled) {
    }
}
