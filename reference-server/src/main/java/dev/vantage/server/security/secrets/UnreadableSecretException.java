package dev.vantage.server.security.secrets;

/**
 * A stored secret does not open: its key is not configured, or it was altered or moved. The message names where the
 * value is stored and the key id, never the value.
 */
public final class UnreadableSecretException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnreadableSecretException(String message) {
        super(message);
    }
}
