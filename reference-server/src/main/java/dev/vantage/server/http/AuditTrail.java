package dev.vantage.server.http;

import dev.vantage.server.security.Principal;
import java.util.Optional;

/**
 * Where {@link ApiRouting} reports each change made through the API, after the route succeeded. The audit slice
 * stores them; the edge only describes what happened (it knows no slice).
 */
@FunctionalInterface
public interface AuditTrail {
    /** Records nothing (tests that build routing without a database). */
    AuditTrail NONE = change -> {
    };

    /**
     * One successful change.
     *
     * @param actor      who called (a user's session or an API token)
     * @param client     the client's address (the TCP peer)
     * @param action     method and route pattern, e.g. {@code PATCH /api/v1/users/{id}}
     * @param objectType the route's resource, e.g. {@code users} or {@code agents/enrollment-tokens}
     * @param objectId   the object's id (a created object's from its {@code Location}); empty for collection-wide
     *                   changes
     * @param status     the HTTP status answered
     * @param before     the object as the API reads it (secrets masked) before the change; empty if it did not exist
     *                   or its slice does not describe it
     * @param after      the same after the change; empty once deleted
     */
    record Change(Principal actor, String client, String action, String objectType, Optional<String> objectId,
                  int status, Optional<Object> before, Optional<Object> after) {
    }

    void record(Change change);
}
