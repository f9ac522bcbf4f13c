package dev.vantage.server.errors;

/**
 * An expected outcome that ends a request: bad input, no or insufficient credentials, a missing thing, a conflict,
 * too many attempts. Slices and stores throw these; the HTTP edge alone turns each kind into a status and a problem
 * body. The message is shown to the client, so it must never hold internals (SQL, stack traces) or secrets.
 */
public abstract sealed class DomainException extends RuntimeException
        permits InvalidInputException, NotAuthenticatedException, ForbiddenException, NotFoundException,
        ConflictException, RateLimitedException {
    private static final long serialVersionUID = 1L;

    private final transient Message detail;

    protected DomainException(Message detail) {
        super(detail.toString(), null, false, false); // no stack trace: these are expected outcomes, not bugs
        this.detail = detail;
    }

    /** What the client is told, in its language; {@link #getMessage()} is the English text. */
    public Message detail() {
        return detail;
    }
}
