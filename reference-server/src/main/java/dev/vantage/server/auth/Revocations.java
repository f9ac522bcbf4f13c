package dev.vantage.server.auth;

import dev.vantage.server.db.Sql;
import dev.vantage.server.users.CredentialRevoker;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/** Ends every login session and API token of a user at once: after a password change, a role change, or disabling. */
public final class Revocations implements CredentialRevoker {

    @Override
    public void revokeAllOf(Connection c, String userId, Instant now) throws SQLException {
        Sql.update(c, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userId);
        Sql.update(c, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userId);
    }
}
