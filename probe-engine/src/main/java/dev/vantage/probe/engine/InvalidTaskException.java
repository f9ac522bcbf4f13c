package dev.vantage.probe.engine;

import dev.vantage.probe.spi.ConfigProblem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A task spec was refused. {@link #problems()} lists every problem at once, each with the JSON path of the field
 * ({@code interval}, {@code params.count}, {@code assertions[1].op}) and the reason.
 */
public class InvalidTaskException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public InvalidTaskException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
