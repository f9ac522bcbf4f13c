package dev.vantage.server.alerting.channels;

/**
 * A notification that was not delivered. {@code code} is what the receiver answered (an HTTP status, an SMTP reply
 * code), 0 when it never answered. The message is shown in the delivery log: it must not hold secrets (no URL with
 * a token in it, no signing secret).
 */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final boolean retryable;

    public DeliveryException(String message, int code, boolean retryable) {
        super(message, null, false, false);
        this.code = code;
        this.retryable = retryable;
    }

    public int code() {
        return code;
    }

    /** Whether trying again later may help (a timeout, a 5xx, a 429), or not (a 4xx, a refused address). */
    public boolean retryable() {
        return retryable;
    }
}
