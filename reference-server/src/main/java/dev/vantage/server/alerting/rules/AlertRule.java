package dev.vantage.server.alerting.rules;

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
        notNegative(pendingFor, "pendingFor");
        notNegative(resolveAfter, "resolveAfter");
        if (repeatEvery != null && (repeatEvery.isNegative() || repeatEvery.isZero())) {
            throw new IllegalArgumentException("repeatEvery must be positive");
        }
    }

    private static void notNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or more");
        }
    }
}
