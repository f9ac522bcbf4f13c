package dev.vantage.server.tasks;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.Message;

/** The engine's and plugins' problems with a task spec as field errors, told in the client's language. */
public final class EngineProblems {
    private EngineProblems() {
    }

    /** @param type the spec's probe type, whose plugin translates its own problems; {@code null}: engine only */
    public static FieldError of(ProbeEngine engine, ConfigProblem problem, String type) {
        return new FieldError(problem.field(), Message.localized(locale -> engine.reason(problem, type, locale)));
    }
}
