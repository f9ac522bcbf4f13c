package dev.vantage.server.security;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a user or API token may do. Each role includes the ones before it: admin ⊇ operator ⊇ viewer. */
public enum Role {
    /** Reads everything except users and other people's tokens. */
    VIEWER,
    /** Also changes tasks, agents and runs instant tests. */
    OPERATOR,
    /** Also manages users and anyone's API tokens. */
    ADMIN;

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    /** The lower of the two: an API token never has more rights than its owner has now. */
    public Role min(Role other) {
        return includes(other) ? other : this;
    }

    /** The lower-case name used in JSON and the database. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the allowed values */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.id().equals(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("must be one of viewer, operator, admin");
    }
}
