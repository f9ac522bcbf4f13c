package dev.vantage.server.alerting.channels;

import dev.vantage.server.errors.Message;

/**
 * A notification that was not delivered. {@code code} is what the receiver answered (an HTTP status, an SMTP reply
 * code), 0 when it never answered. The text is the server's words around what the receiver said (quoted as data);
 * {@link #getMessage()} is its English text, shown in the delivery log. Neither may hold secrets (no URL with a
 * token in it, no signing secret).
 */
public final class DeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Message text;
    private final int code;
    private final boolean retryable;

    public DeliveryException(Message text, int code, boolean retryable) {
        super(text.toString(), null, false, false);
        this.text = text;
        this.code = code;
        this.retryable = retryable;
    }

    /** Why, in a reader's language (a test send answers in the admin's). */
    public Message text() {
        return text;
    }

    public int code() {
        return code;
    }

    /** Whether trying again later may help (a timeout, a 5xx, a 429), or not (a 4xx, a refused address). */
    public boolean retryable() {
        return retryable;
    }
}
