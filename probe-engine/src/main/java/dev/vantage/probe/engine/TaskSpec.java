package dev.vantage.probe.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * against the probe type's parameter descriptions. Build one with {@link #builder}; validate it with
 * {@link ProbeEngine#validate}; read and write JSON with {@code dev.vantage.probe.json.TaskSpecJson} (probe-json).
 *
 * <p>A final class with a builder rather than a record, so that fields can be added without breaking callers'
 * binaries (VERSIONING.md). Immutable; two specs are equal when all their fields are.
 */
public final class TaskSpec {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final String id;
    private final String name;
    private final String type;
    private final String target;
    private final Duration interval;
    private final Duration timeout;
    private final Duration jitter;
    private final int maxInFlight;
    private final Map<String, Object> params;
    private final List<Assertion> assertions;
    private final Map<String, String> labels;
    private final boolean enabled;
    private final boolean diagnoseOnFailure;

    private TaskSpec(Builder b) {
        id = b.id == null ? "" : b.id;
        name = b.name == null || b.name.isEmpty() ? id : b.name;
        type = Objects.requireNonNullElse(b.type, "");
        target = Objects.requireNonNullElse(b.target, "");
        interval = b.interval;
        // a task every second must not be refused for a default it never asked for
        timeout = b.timeout != null ? b.timeout
                : interval != null && interval.isPositive() && interval.compareTo(DEFAULT_TIMEOUT) < 0 ? interval : DEFAULT_TIMEOUT;
        jitter = b.jitter == null ? Duration.ZERO : b.jitter;
        maxInFlight = b.maxInFlight;
        // unmodifiable copies that keep order; Map.copyOf would not, and params may hold nulls from JSON
        params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
        assertions = List.copyOf(b.assertions);
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(b.labels));
        enabled = b.enabled;
        diagnoseOnFailure = b.diagnoseOnFailure;
    }

    /** A builder for a task of {@code type} probing {@code target}; every other field has a default. */
    public static Builder builder(String type, String target) {
        return new Builder().type(type).target(target);
    }

    /** A builder holding this spec's fields, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder().id(id).name(name).type(type).target(target).interval(interval).timeout(timeout)
                .jitter(jitter).maxInFlight(maxInFlight).enabled(enabled).diagnoseOnFailure(diagnoseOnFailure);
        b.params.putAll(params);
        b.assertions.addAll(assertions);
        b.labels.putAll(labels);
        return b;
    }

    /** Unique task id ({@code [A-Za-z0-9._:-]}, 1..128 chars); empty for a one-off run. */
    public String id() {
        return id;
    }

    /** A human name; defaults to the id. */
    public String name() {
        return name;
    }

    /** The probe type id, e.g. {@code http}. */
    public String type() {
        return type;
    }

    /** What to probe, in the probe type's form. */
    public String target() {
        return target;
    }

    /** How often to run; {@code null} for a task that only runs on demand. */
    public Duration interval() {
        return interval;
    }

    /**
     * Deadline of each attempt; at most the interval. Left out, it is {@link #DEFAULT_TIMEOUT}, or the interval when
     * that is shorter.
     */
    public Duration timeout() {
        return timeout;
    }

    /** Each run starts up to this much later than its slot (random, never accumulating). */
    public Duration jitter() {
        return jitter;
    }

    /** How many attempts of this task may run at once; a run due while that many are in flight is skipped. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** Raw parameter values by name, in the order given. */
    public Map<String, Object> params() {
        return params;
    }

    /** Checks the engine applies to every result. */
    public List<Assertion> assertions() {
        return assertions;
    }

    /** Copied onto every result (region, team, ...). */
    public Map<String, String> labels() {
        return labels;
    }

    /** A disabled task is kept but not run. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether a failed attempt should be diagnosed where it ran (JSON {@code "diagnose": {"onFailure": true}}). The
     * engine only carries the wish: an embedder's {@link FollowUps} hook reads it and names the follow-up probes
     * (the agent runs a traceroute and a DNS lookup of the target). Default false.
     */
    public boolean diagnoseOnFailure() {
        return diagnoseOnFailure;
    }

    /** True if the task runs on a schedule (it has an interval). */
    public boolean scheduled() {
        return interval != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskSpec t && maxInFlight == t.maxInFlight && enabled == t.enabled
                && diagnoseOnFailure == t.diagnoseOnFailure && id.equals(t.id)
                && name.equals(t.name) && type.equals(t.type) && target.equals(t.target)
                && Objects.equals(interval, t.interval) && timeout.equals(t.timeout) && jitter.equals(t.jitter)
                && params.equals(t.params) && assertions.equals(t.assertions) && labels.equals(t.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, type, target, interval, timeout, jitter, maxInFlight, params, assertions, labels,
                enabled, diagnoseOnFailure);
    }

    @Override
    public String toString() {
        return "TaskSpec[id=" + id + ", name=" + name + ", type=" + type + ", target=" + target + ", interval="
                + interval + ", timeout=" + timeout + ", jitter=" + jitter + ", maxInFlight=" + maxInFlight
                + ", params=" + params + ", assertions=" + assertions + ", labels=" + labels + ", enabled=" + enabled
                + ", diagnoseOnFailure=" + diagnoseOnFailure + "]";
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
        private boolean diagnoseOnFailure;

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

        public Builder diagnoseOnFailure(boolean diagnose) {
            this.diagnoseOnFailure = diagnose;
            return this;
        }

        public TaskSpec build() {
            return new TaskSpec(this);
        }
    }
}
