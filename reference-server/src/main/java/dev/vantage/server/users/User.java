package dev.vantage.server.users;

import dev.vantage.server.security.Role;
import java.time.Instant;

/** A user account. {@code passwordHash} is an Argon2id PHC string; it never leaves the server. */
public record User(String id, String username, Role role, int tokenVersion, Instant createdAt, boolean disabled,
                   String passwordHash) {

    @Override
    public String toString() {
        return "User[" + id + ", " + username + ", " + role.id() + (disabled ? ", disabled" : "") + "]";
    }
}
