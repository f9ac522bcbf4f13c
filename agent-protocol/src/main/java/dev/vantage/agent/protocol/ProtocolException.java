package dev.vantage.agent.protocol;

/** A frame that is not a valid protocol message; the message names the field and the reason. */
public final class ProtocolException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
