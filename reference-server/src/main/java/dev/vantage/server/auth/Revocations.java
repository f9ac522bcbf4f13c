package dev.vantage.server.auth;

import dev.vantage.server.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/** Ends every credential of a user at once: after a password change, a role change, or disabling the account. */
public final class Revocations {
    private Revocations() {
    }

    /** Bumps the token version and revokes all sessions and API tokens of {@code userId}, in the caller's transaction. */
    public static void revokeAllOf(Connection c, String userId, Instant now) throws SQLException {
        Sql.update(c, "UPDATE users SET token_version = token_version + 1 WHERE id = ?", userId);
        Sql.update(c, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userId);
        Sql.update(c, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userId);
    }
}
