package dev.vantage.probe.spi;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

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

    /**
     * Runs a parser for one field and records its refusal as a problem, so a provider can check every field and
     * report them all at once.
     *
     * @param parser   throws {@link IllegalArgumentException} with a reason a user can act on
     * @param problems receives {@code field: reason} if the parser refuses
     * @return the parsed value, or {@code null} if a problem was recorded
     * @since 0.1
     */
    public static <T> T check(String field, Supplier<T> parser, List<ConfigProblem> problems) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            problems.add(of(field, e.getMessage()));
            return null;
        }
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
