package dev.vantage.probe.spi;

import java.util.Objects;

/**
 * One thing wrong with a configuration: the field ({@code target}, a parameter name, or a JSON path such as
 * {@code params.count}) and why it is wrong, in words a user can act on.
 *
 * @since 0.1
 */
public final class ConfigProblem {
    private final String field;
    private final String reason;

    private ConfigProblem(String field, String reason) {
        this.field = Objects.requireNonNull(field, "field");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public static ConfigProblem of(String field, String reason) {
        return new ConfigProblem(field, reason);
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigProblem p && field.equals(p.field) && reason.equals(p.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, reason);
    }

    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
