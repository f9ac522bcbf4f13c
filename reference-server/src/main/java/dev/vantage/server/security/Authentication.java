package dev.vantage.server.security;

import java.util.Locale;

/**
 * Turns a bearer credential into the caller. The HTTP edge and the live feed depend on this interface, not on the
 * auth slice that implements it (login sessions, API tokens).
 */
@FunctionalInterface
public interface Authentication {

    /**
     * The caller a bearer token (API token or access JWT) belongs to.
     *
     * @throws dev.vantage.server.errors.NotAuthenticatedException unless the token is valid now
     */
    Principal authenticateToken(String token);

    /**
     * The caller of an {@code Authorization: Bearer ...} header value ({@code null} when absent).
     *
     * @throws dev.vantage.server.errors.NotAuthenticatedException unless the header carries valid credentials
     */
    default Principal authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.length() < 8
                || !authorizationHeader.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            throw new dev.vantage.server.errors.NotAuthenticatedException();
        }
        return authenticateToken(authorizationHeader.substring(7).trim());
    }
}
