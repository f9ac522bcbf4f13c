package dev.vantage.server.alerting.rules;

import dev.vantage.server.errors.InvalidFieldException;
import java.time.Duration;
import java.util.Objects;

/**
 * An alert rule, as evaluation needs it: when the {@link Condition} holds (in the {@link Scope}) for
 * {@code pendingFor}, the alert fires; it resolves once the condition has been false for {@code resolveAfter}
 * (so a target that flaps stays one incident); while firing it reminds every {@code repeatEvery} ({@code null}:
 * never).
 */
public record AlertRule(String id, Condition condition, Scope scope, Duration pendingFor, Duration resolveAfter,
                        Duration repeatEvery) {
    public AlertRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(scope, "scope");
        notNegative(pendingFor, "for"); // named as the JSON names them: what a refusal is reported under
        notNegative(resolveAfter, "resolveAfter");
        if (repeatEvery != null && (repeatEvery.isNegative() || repeatEvery.isZero())) {
            throw new InvalidFieldException("repeatEvery", "number.positive");
        }
    }

    private static void notNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new InvalidFieldException(name, "rule.zeroOrMore");
        }
    }
}
