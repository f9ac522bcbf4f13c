package dev.vantage.server.errors;

/** Missing, invalid or expired credentials. The default message says nothing about which check failed. */
public final class NotAuthenticatedException extends DomainException {
    private static final long serialVersionUID = 1L;

    public NotAuthenticatedException() {
        this("missing, invalid or expired credentials");
    }

    public NotAuthenticatedException(String detail) {
        super(detail);
    }
}
