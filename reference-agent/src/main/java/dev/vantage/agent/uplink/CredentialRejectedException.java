package dev.vantage.agent.uplink;

/** The server answered the WebSocket upgrade with HTTP 401: the agent's credential was revoked or is wrong. */
public final class CredentialRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CredentialRejectedException(String message) {
        super(message);
    }
}
