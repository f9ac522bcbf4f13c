package dev.vantage.probe.spi;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One thing wrong with a configuration: the field ({@code target}, a parameter name, or a JSON path such as
 * {@code params.count}) and why it is wrong, in words a user can act on.
 * <p>
 * A problem may also carry a message {@link #code()} and its {@link #args()}, so that a server can tell it in its
 * reader's language: the plugin gives the code's text per language in its descriptor
 * ({@link ProbeDescriptor.TextsBuilder#problem}); {@link #reason()} stays the English text.
 *
 * @since 0.1
 */
public final class ConfigProblem {
    private final String field;
    private final String reason;
    private final String code;
    private final List<String> args;

    private ConfigProblem(String field, String reason, String code, List<String> args) {
        this.field = Objects.requireNonNull(field, "field");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.code = code;
        this.args = List.copyOf(args);
    }

    public static ConfigProblem of(String field, String reason) {
        return new ConfigProblem(field, reason, null, List.of());
    }

    /**
     * A problem with a message code: {@code reason} is its English text, {@code args} fill the code's
     * {@link java.text.MessageFormat} pattern in other languages.
     *
     * @since 0.1
     */
    public static ConfigProblem of(String field, String reason, String code, List<String> args) {
        return new ConfigProblem(field, reason, Objects.requireNonNull(code, "code"), args);
    }

    /**
     * The same problem reported under another field (a parameter {@code count} as {@code params.count}).
     *
     * @since 0.1
     */
    public ConfigProblem withField(String field) {
        return new ConfigProblem(field, reason, code, args);
    }

    /**
     * Runs a parser for one field and records its refusal as a problem, so a provider can check every field and
     * report them all at once.
     *
     * @param parser   throws {@link IllegalArgumentException} with a reason a user can act on (an
     *                 {@link InvalidValueException} to give its message code too)
     * @param problems receives {@code field: reason} if the parser refuses
     * @return the parsed value, or {@code null} if a problem was recorded
     * @since 0.1
     */
    public static <T> T check(String field, Supplier<T> parser, List<ConfigProblem> problems) {
        try {
            return parser.get();
        } catch (InvalidValueException e) {
            problems.add(of(field, e.getMessage(), e.code(), e.args()));
            return null;
        } catch (IllegalArgumentException e) {
            problems.add(of(field, e.getMessage()));
            return null;
        }
    }

    public String field() {
        return field;
    }

    /** Why, in English. */
    public String reason() {
        return reason;
    }

    /**
     * The message code of {@link #reason()}, or {@code null} when the problem has none (it is then told in English).
     *
     * @since 0.1
     */
    public String code() {
        return code;
    }

    /**
     * The arguments of {@link #code()}'s pattern, already formatted (values, names, numbers); empty without a code.
     *
     * @since 0.1
     */
    public List<String> args() {
        return args;
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
