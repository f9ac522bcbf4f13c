package dev.vantage.server.users;

import dev.vantage.server.security.Role;
import java.time.Instant;
import java.util.Locale;

/** A user account. {@code passwordHash} is an Argon2id PHC string; it never leaves the server. */
public record User(String id, String username, Role role, int tokenVersion, Instant createdAt, boolean disabled,
                   String passwordHash) {

    /** The canonical form of a username as typed: trimmed, lower case. */
    public static String normalize(String username) {
        return username == null ? null : username.trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "User[" + id + ", " + username + ", " + role.id() + (disabled ? ", disabled" : "") + "]";
    }
}
