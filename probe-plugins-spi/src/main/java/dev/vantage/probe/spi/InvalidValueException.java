package dev.vantage.probe.spi;

import java.util.List;
import java.util.Objects;

/**
 * A parser's refusal of a value with a message code, so {@link ConfigProblem#check} keeps the code and the problem
 * can be told in other languages. The message is the English text.
 *
 * @since 0.1
 */
public final class InvalidValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final transient List<String> args;

    public InvalidValueException(String message, String code, List<String> args) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.args = List.copyOf(args);
    }

    public String code() {
        return code;
    }

    public List<String> args() {
        return args;
    }
}
