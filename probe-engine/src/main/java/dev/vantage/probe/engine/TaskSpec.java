package dev.vantage.probe.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to probe, how and how often: the shape task specs have in JSON and in the server's REST API, e.g.
 * <pre>{@code {"id":"web","type":"http","target":"https://example.com/","interval":"30s","timeout":"5s",
 *  "params":{"method":"GET"},"assertions":[{"field":"measurement.httpStatus","op":"lt","value":"400"}],
 *  "labels":{"team":"web"}}}</pre>
 * Parameter values are kept raw (strings, numbers, booleans, lists, maps, as JSON gives them); the engine checks them
 * against the probe type's parameter descriptions. Validate with {@link ProbeEngine#validate}; read and write JSON with {@code dev.vantage.probe.json.TaskSpecJson}.
 *
 * @param id          unique task id ({@code [A-Za-z0-9._:-]}, 1..128 chars)
 * @param name        a human name; defaults to the id
 * @param type        the probe type id, e.g. {@code http}
 * @param target      what to probe, in the probe type's form
 * @param interval    how often to run; {@code null} for a task that only runs on demand
 * @param timeout     deadline of each attempt; at most the interval. Left out ({@code null}), it is
 *                    {@link #DEFAULT_TIMEOUT}, or the interval when that is shorter
 * @param jitter      each run starts up to this much later than its slot (random, never accumulating)
 * @param maxInFlight how many attempts of this task may run at once; a run due while that many are in flight is skipped
 * @param params      raw parameter values by name
 * @param assertions  checks the engine applies to every result
 * @param labels      copied onto every result (region, team, ...)
 * @param enabled     a disabled task is kept but not run
 */
public record TaskSpec(String id, String name, String type, String target, Duration interval, Duration timeout,
                       Duration jitter, int maxInFlight, Map<String, Object> params, List<Assertion> assertions,
                       Map<String, String> labels, boolean enabled) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public TaskSpec {
        id = id == null ? "" : id;
        name = name == null || name.isEmpty() ? id : name;
        type = Objects.requireNonNullElse(type, "");
        target = Objects.requireNonNullElse(target, "");
        if (timeout == null) {
            // a task every second must not be refused for a default it never asked for
            timeout = interval != null && interval.isPositive() && interval.compareTo(DEFAULT_TIMEOUT) < 0 ? interval : DEFAULT_TIMEOUT;
        }
        jitter = jitter == null ? Duration.ZERO : jitter;
        // unmodifiable copies that keep order; Map.copyOf would not, and params may hold nulls from JSON
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        assertions = assertions == null ? List.of() : List.copyOf(assertions);
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /** A builder for a task of {@code type} probing {@code target}; every other field has a default. */
    public static Builder builder(String type, String target) {
        return new Builder().type(type).target(target);
    }

    public Builder toBuilder() {
        Builder b = new Builder().id(id).name(name).type(type).target(target).interval(interval).timeout(timeout)
                .jitter(jitter).maxInFlight(maxInFlight).enabled(enabled);
        b.params.putAll(params);
        b.assertions.addAll(assertions);
        b.labels.putAll(labels);
        return b;
    }

    /** True if the task runs on a schedule (it has an interval). */
    public boolean scheduled() {
        return interval != null;
    }

    /** Builds a {@link TaskSpec}; nothing is validated until the engine sees it. */
    public static final class Builder {
        private String id = "";
        private String name;
        private String type;
        private String target;
        private Duration interval;
        private Duration timeout;
        private Duration jitter = Duration.ZERO;
        private int maxInFlight = 1;
        private final Map<String, Object> params = new LinkedHashMap<>();
        private final List<Assertion> assertions = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private boolean enabled = true;

        private Builder() {
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        public Builder target(String target) {
            this.target = target;
            return this;
        }

        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder jitter(Duration jitter) {
            this.jitter = jitter;
            return this;
        }

        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Builder param(String name, Object value) {
            params.put(name, value);
            return this;
        }

        public Builder params(Map<String, ?> values) {
            params.putAll(values);
            return this;
        }

        public Builder assertion(Assertion assertion) {
            assertions.add(assertion);
            return this;
        }

        public Builder label(String name, String value) {
            labels.put(name, value);
            return this;
        }

        public Builder labels(Map<String, String> values) {
            labels.putAll(values);
            return this;
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public TaskSpec build() {
            return new TaskSpec(id, name, type, target, interval, timeout, jitter, maxInFlight, params, assertions,
                    labels, enabled);
        }
    }
}
