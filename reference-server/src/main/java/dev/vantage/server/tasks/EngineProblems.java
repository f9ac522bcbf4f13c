package dev.vantage.server.tasks;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.json.TaskSpecJson;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.Message;

/** The engine's, plugins' and task JSON's problems with a task spec as field errors, told in the client's language. */
public final class EngineProblems {
    private EngineProblems() {
    }

    /** @param type the spec's probe type, whose plugin translates its own problems; {@code null}: engine only */
    public static FieldError of(ProbeEngine engine, ConfigProblem problem, String type) {
        return new FieldError(problem.field(), Message.localized(locale -> engine.reason(problem, type, locale)));
    }

    /** A problem of {@link TaskSpecJson#parse}: the JSON's shape, or a value the engine parses (a duration). */
    public static FieldError ofJson(ConfigProblem problem) {
        return new FieldError(problem.field(), Message.localized(locale -> TaskSpecJson.reason(problem, locale)
                .orElseGet(() -> ProbeEngine.engineReason(problem, locale))));
    }

    /** One of the engine's own problems (an address range, an address policy's refusal), without its field. */
    public static Message text(ConfigProblem problem) {
        return Message.localized(locale -> ProbeEngine.engineReason(problem, locale));
    }
}
