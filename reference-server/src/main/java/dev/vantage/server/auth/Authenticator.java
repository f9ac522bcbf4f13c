package dev.vantage.server.auth;

import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.security.Authentication;
import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import java.time.Clock;
import java.time.Instant;

/**
 * Turns an {@code Authorization: Bearer ...} header into a {@link Principal}: an API token ({@code vat_...}) or an
 * access JWT whose session is live, whose user is enabled and whose token version is current. Every failure is the
 * same 401, so a caller learns nothing about which check failed.
 */
public final class Authenticator implements Authentication {
    private final JwtService jwt;
    private final ApiTokens apiTokens;
    private final Database db;
    private final Clock clock;

    public Authenticator(JwtService jwt, ApiTokens apiTokens, Database db, Clock clock) {
        this.jwt = jwt;
        this.apiTokens = apiTokens;
        this.db = db;
        this.clock = clock;
    }

    /** @throws NotAuthenticatedException unless {@code token} is a valid API token or access JWT */
    @Override
    public Principal authenticateToken(String token) {
        if (token.startsWith(ApiTokens.PREFIX)) {
            return apiTokens.authenticate(token).orElseThrow(NotAuthenticatedException::new);
        }
        JwtService.Claims claims = jwt.verify(token, JwtService.Use.ACCESS);
        Instant now = clock.instant();
        return db.queryOne("""
                SELECT u.id, u.username, u.role, u.token_version, u.disabled, s.expires_at, s.revoked_at
                FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?""", rs -> {
                    boolean live = rs.getString("id").equals(claims.userId())
                            && !rs.getBoolean("disabled")
                            && rs.getInt("token_version") == claims.tokenVersion()
                            && Sql.instant(rs, "revoked_at") == null
                            && Sql.instant(rs, "expires_at").isAfter(now);
                    return live ? new Principal(rs.getString("id"), rs.getString("username"),
                            Role.parse(rs.getString("role")), claims.sessionId(), null) : null;
                }, claims.sessionId())
                .orElseThrow(NotAuthenticatedException::new);
    }
}
