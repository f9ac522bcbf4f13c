package dev.vantage.server.http;

import io.helidon.http.Status;
import java.util.List;

/**
 * An error the client should see, written as {@code application/problem+json}. The detail is shown to the client,
 * so it must never hold internals (SQL, stack traces) or secrets.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Status status;
    private final transient List<FieldError> errors;
    private final long retryAfterSeconds;

    public ApiException(Status status, String detail) {
        this(status, detail, List.of(), 0);
    }

    private ApiException(Status status, String detail, List<FieldError> errors, long retryAfterSeconds) {
        super(detail, null, false, false); // no stack trace: these are expected outcomes, not bugs
        this.status = status;
        this.errors = List.copyOf(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 naming every bad field. */
    public static ApiException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? "1 field is invalid" : errors.size() + " fields are invalid";
        return new ApiException(Status.BAD_REQUEST_400, detail, errors, 0);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(Status.BAD_REQUEST_400, detail);
    }

    public static ApiException unauthorized() {
        return new ApiException(Status.UNAUTHORIZED_401, "missing, invalid or expired credentials");
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(Status.UNAUTHORIZED_401, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(Status.FORBIDDEN_403, detail);
    }

    public static ApiException notFound(String what) {
        return new ApiException(Status.NOT_FOUND_404, what + " not found");
    }

    public static ApiException conflict(String detail) {
        return new ApiException(Status.CONFLICT_409, detail);
    }

    /** 429 with a {@code Retry-After} header. */
    public static ApiException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ApiException(Status.TOO_MANY_REQUESTS_429, detail, List.of(), Math.max(1, retryAfterSeconds));
    }

    public Status status() {
        return status;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** Seconds for the {@code Retry-After} header; 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
