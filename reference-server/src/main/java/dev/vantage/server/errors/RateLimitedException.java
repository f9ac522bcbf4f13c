package dev.vantage.server.errors;

/** Too many attempts; the caller may try again after {@link #retryAfterSeconds()}. */
public final class RateLimitedException extends DomainException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterSeconds;

    public RateLimitedException(Message detail, long retryAfterSeconds) {
        super(detail);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
