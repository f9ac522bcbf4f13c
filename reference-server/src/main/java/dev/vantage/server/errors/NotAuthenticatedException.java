package dev.vantage.server.errors;

/** Missing, invalid or expired credentials. The default message says nothing about which check failed. */
public final class NotAuthenticatedException extends DomainException {
    private static final long serialVersionUID = 1L;

    public NotAuthenticatedException() {
        super(Message.of("notAuthenticated"));
    }

    public NotAuthenticatedException(Message detail) {
        super(detail);
    }
}
