package dev.vantage.probe.spi;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration was refused; {@link #problems()} lists every problem found, each naming its field.
 *
 * @since 0.1
 */
public class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public InvalidConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an InvalidConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidConfigException(String field, String reason) {
        this(List.of(ConfigProblem.of(field, reason)));
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
