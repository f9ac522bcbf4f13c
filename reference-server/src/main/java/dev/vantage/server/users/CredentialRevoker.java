package dev.vantage.server.users;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Ends a user's sessions and API tokens, which belong to the auth slice: users asks for it through this interface
 * so that it does not depend on auth (auth depends on users).
 */
@FunctionalInterface
public interface CredentialRevoker {
    /** Revokes every session and API token of {@code userId} inside the caller's transaction {@code c}. */
    void revokeAllOf(Connection c, String userId, Instant now) throws SQLException;
}
