package dev.vantage.server.tasks;

import dev.vantage.probe.engine.TaskSpec;
import java.time.Instant;
import java.util.List;

/**
 * A task as the server keeps it: the spec (secrets included: never show it to a client as it is, see
 * {@link SecretParams}), where it runs, the tasks it depends on (ids: a gateway, an upstream resolver, whose failure
 * explains this one's), and its bookkeeping. {@code revision} grows by one with every change.
 */
public record StoredTask(TaskSpec spec, Selector selector, List<String> dependsOn, String createdBy, Instant createdAt,
                         Instant updatedAt, long revision) {
    public StoredTask {
        dependsOn = List.copyOf(dependsOn);
    }

    public String id() {
        return spec.id();
    }

    public boolean enabled() {
        return spec.enabled();
    }

    @Override
    public String toString() {
        // no params: they may hold secrets
        return "StoredTask[" + spec.id() + ", " + spec.type() + ", revision " + revision + "]";
    }
}
