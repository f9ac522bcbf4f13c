package dev.vantage.server.http;

import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import io.helidon.webserver.http.ServerRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Query parameters with the same "name every bad one" rule as {@link JsonInput}. */
public final class QueryParams {
    private final ServerRequest req;
    private final List<FieldError> errors = new ArrayList<>();

    public QueryParams(ServerRequest req) {
        this.req = req;
    }

    public String string(String name) {
        return req.query().first(name).filter(v -> !v.isEmpty()).orElse(null);
    }

    public int integer(String name, int defaultValue, int min, int max) {
        String v = string(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(FieldError.of(name, "query.integer", min, max));
        return defaultValue;
    }

    /** {@code true} or {@code false}; {@code defaultValue} when absent. */
    public boolean bool(String name, boolean defaultValue) {
        String v = string(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.equals("true") && !v.equals("false")) {
            errors.add(FieldError.of(name, "json.boolean"));
            return defaultValue;
        }
        return v.equals("true");
    }

    /** An ISO-8601 instant such as {@code 2025-01-02T03:04:05Z}, or {@code null} when absent. */
    public Instant instant(String name) {
        String v = string(name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            errors.add(FieldError.of(name, "query.instant"));
            return null;
        }
    }

    public QueryParams error(String name, dev.vantage.server.errors.Message message) {
        errors.add(new FieldError(name, message));
        return this;
    }

    /** @throws InvalidInputException naming every bad parameter */
    public void check() {
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
