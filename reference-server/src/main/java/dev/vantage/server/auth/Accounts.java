package dev.vantage.server.auth;

import dev.vantage.server.users.User;
import java.util.Optional;

/** What logging in and changing one's password need of the user accounts; the server wires it to the users slice. */
public interface Accounts {

    /** The account of a username as typed at login (normalized here). */
    Optional<User> findByUsername(String username);

    Optional<User> find(String userId);

    /** Sets a new password hash; every session and API token of the user ends. */
    void changePassword(String userId, String passwordHash);
}
