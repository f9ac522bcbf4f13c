package dev.vantage.server.errors;

/** The request contradicts the current state: a taken name, a stale revision, the last admin. */
public final class ConflictException extends DomainException {
    private static final long serialVersionUID = 1L;

    public ConflictException(Message detail) {
        super(detail);
    }
}
