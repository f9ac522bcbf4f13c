package dev.vantage.server.http;

import dev.vantage.server.errors.Message;
import io.helidon.http.Status;

/**
 * An error of the HTTP exchange itself (a body that is not JSON, plain HTTP on a WebSocket path), written as
 * {@code application/problem+json}. Everything the domain decides (bad input, not found, conflict...) is a
 * {@link dev.vantage.server.errors.DomainException} instead, mapped to its status in {@link Problems}. The detail
 * is shown to the client, so it must never hold internals or secrets.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Status status;
    private final transient Message detail;

    public ApiException(Status status, Message detail) {
        super(detail.toString(), null, false, false); // no stack trace: an expected outcome, not a bug
        this.status = status;
        this.detail = detail;
    }

    public Status status() {
        return status;
    }

    /** What the client is told, in its language. */
    public Message detail() {
        return detail;
    }
}
