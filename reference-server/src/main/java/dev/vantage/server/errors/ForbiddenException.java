package dev.vantage.server.errors;

/** The caller is known but may not do this. */
public final class ForbiddenException extends DomainException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(Message detail) {
        super(detail);
    }
}
