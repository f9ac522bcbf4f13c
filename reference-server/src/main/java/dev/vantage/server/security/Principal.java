package dev.vantage.server.security;

/**
 * Who is calling: a user, through a login session ({@code sessionId}) or an API token ({@code apiTokenId}).
 * {@code role} is the effective role: for an API token, the lower of the token's and its owner's role.
 */
public record Principal(String userId, String username, Role role, String sessionId, String apiTokenId) {
    public boolean viaSession() {
        return sessionId != null;
    }
}
