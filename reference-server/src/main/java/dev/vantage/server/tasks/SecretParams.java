package dev.vantage.server.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.server.errors.FieldError;
import java.util.List;
import java.util.Map;

/**
 * Keeps secret parameters (those whose {@link ParameterSpec#secret()} is true) inside the server: the API shows
 * them as {@value #MASK}, and an update that sends {@value #MASK} back keeps the stored value.
 */
public final class SecretParams {
    public static final String MASK = "******";

    private SecretParams() {
    }

    /** Replaces the value of every secret parameter in a spec's JSON {@code params} object with {@value #MASK}. */
    public static void mask(ObjectNode specJson, ProbeDescriptor descriptor) {
        if (descriptor == null || !(specJson.get("params") instanceof ObjectNode params)) {
            return;
        }
        for (ParameterSpec p : descriptor.parameters()) {
            if (p.secret() && params.has(p.name()) && !params.get(p.name()).isNull()) {
                params.put(p.name(), MASK);
            }
        }
    }

    /**
     * The incoming spec with every secret parameter sent as {@value #MASK} replaced by the stored value. A masked
     * value with nothing stored to keep is a problem added to {@code errors}.
     */
    public static TaskSpec restore(TaskSpec incoming, TaskSpec stored, ProbeDescriptor descriptor, List<FieldError> errors) {
        if (descriptor == null) {
            return incoming;
        }
        TaskSpec.Builder b = incoming.toBuilder();
        Map<String, Object> previous = stored == null || !stored.type().equals(incoming.type()) ? Map.of() : stored.params();
        for (ParameterSpec p : descriptor.parameters()) {
            if (p.secret() && MASK.equals(incoming.params().get(p.name()))) {
                if (previous.containsKey(p.name())) {
                    b.param(p.name(), previous.get(p.name()));
                } else {
                    errors.add(FieldError.of("params." + p.name(), "task.secretMask", MASK));
                }
            }
        }
        return b.build();
    }
}
