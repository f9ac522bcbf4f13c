package dev.vantage.probe.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The immutable outcome of one attempt: status, classified error, timing, named phases, numeric measurements,
 * sample series, string attributes, and (added by the engine) assertion outcomes and labels.
 *
 * <p>Probes build results from {@link ProbeContext#newResult()}; the engine completes them (id, assertions,
 * labels) with {@link #toBuilder()}. Maps keep insertion order, so phases read in the order they happened.
 *
 * <p><b>Naming.</b> Phase, measurement and sample names are lowerCamelCase ({@code connect}, {@code ttfb},
 * {@code lossPercent}, {@code rttMs}); measurements carry their unit in the name unless it is a count or a
 * percentage.
 *
 * @since 0.1
 */
public final class ProbeResult {
    private final String id;
    private final String taskId;
    private final String type;
    private final String target;
    private final ProbeStatus status;
    private final ProbeError error;
    private final Instant startedAt;
    private final Duration duration;
    private final Map<String, Duration> phases;
    private final Map<String, Double> measurements;
    private final Map<String, List<Double>> samples;
    private final Map<String, String> attributes;
    private final List<AssertionOutcome> assertions;
    private final Map<String, String> labels;
    private final List<ProbeResult> followUps;

    private ProbeResult(Builder b) {
        this.id = b.id;
        this.taskId = b.taskId;
        this.type = b.type;
        this.target = b.target;
        this.error = b.error;
        this.status = b.status != null ? b.status : (b.error != null ? b.error.kind().status() : ProbeStatus.SUCCESS);
        this.startedAt = Objects.requireNonNull(b.startedAt, "startedAt");
        this.duration = b.duration;
        this.phases = frozen(b.phases);
        this.measurements = frozen(b.measurements);
        this.samples = frozen(b.samples);
        this.attributes = frozen(b.attributes);
        this.assertions = List.copyOf(b.assertions);
        this.labels = frozen(b.labels);
        this.followUps = List.copyOf(b.followUps);
    }

    /*
     * Results are made at high rates and are mostly copied to add a field or two, so a builder shares the maps of
     * the result it came from and copies one only when it is changed (copy on write): a map that is not a
     * LinkedHashMap is an immutable one shared with a result.
     */
    private static <V> Map<String, V> frozen(Map<String, V> m) {
        if (!(m instanceof LinkedHashMap)) {
            return m;
        }
        return m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    private static <V> Map<String, V> writable(Map<String, V> m) {
        return m instanceof LinkedHashMap ? m : new LinkedHashMap<>(m);
    }

    /** A new, empty builder. Probes normally start from {@link ProbeContext#newResult()} instead. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this result. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.taskId = taskId;
        b.type = type;
        b.target = target;
        b.status = status;
        b.error = error;
        b.startedAt = startedAt;
        b.duration = duration;
        b.phases = phases;
        b.measurements = measurements;
        b.samples = samples;
        b.attributes = attributes;
        b.assertions = assertions;
        b.labels = labels;
        b.followUps = followUps;
        return b;
    }

    /** Unique id of this result (set by the engine), used to store each result exactly once. */
    public String id() {
        return id;
    }

    /** The task this result belongs to; {@code ""} for an ad-hoc run. */
    public String taskId() {
        return taskId;
    }

    /** The probe type id, for example {@code http}. */
    public String type() {
        return type;
    }

    /** The target as written in the task, for example {@code https://example.com/} or {@code 10.0.0.1}. */
    public String target() {
        return target;
    }

    public ProbeStatus status() {
        return status;
    }

    /** The classified error; {@code null} for a successful result. */
    public ProbeError error() {
        return error;
    }

    /** When the attempt started, by the engine's clock. */
    public Instant startedAt() {
        return startedAt;
    }

    /** How long the attempt took in total. */
    public Duration duration() {
        return duration;
    }

    /** Named phase durations in the order they happened, e.g. {@code dns}, {@code connect}, {@code tls}. */
    public Map<String, Duration> phases() {
        return phases;
    }

    /** Named numeric measurements, e.g. {@code lossPercent}, {@code rttAvgMs}, {@code httpStatus}. */
    public Map<String, Double> measurements() {
        return measurements;
    }

    /**
     * Named series of numeric samples, e.g. {@code rttMs} with one entry per packet; a {@code null} entry marks a
     * sample that was lost.
     */
    public Map<String, List<Double>> samples() {
        return samples;
    }

    /** Named string attributes, e.g. {@code tlsVersion}, {@code remoteAddress}, {@code icmpMode}. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** The outcome of each assertion the engine evaluated, in task order. */
    public List<AssertionOutcome> assertions() {
        return assertions;
    }

    /** Labels of the task (and of the engine, such as the agent), copied onto the result. */
    public Map<String, String> labels() {
        return labels;
    }

    /**
     * Results of the follow-up probes the engine's embedder ran because this attempt failed (e.g. an agent's
     * automatic diagnosis: a traceroute and a DNS lookup of the target), in the order asked; empty otherwise.
     * Probes never set them.
     *
     * @since 0.1
     */
    public List<ProbeResult> followUps() {
        return followUps;
    }

    @Override
    public String toString() {
        return "ProbeResult{" + type + " " + target + " " + status + (error != null ? " " + error : "")
                + " " + duration.toNanos() / 1e6 + "ms phases=" + phases + " measurements=" + measurements + "}";
    }

    /**
     * Builds a {@link ProbeResult}. Not thread-safe. The status defaults to the error kind's status when an error is
     * set, and to {@link ProbeStatus#SUCCESS} otherwise.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String id = "";
        private String taskId = "";
        private String type = "";
        private String target = "";
        private ProbeStatus status;
        private ProbeError error;
        private Instant startedAt;
        private Duration duration = Duration.ZERO;
        // immutable until the first change (see frozen/writable above)
        private Map<String, Duration> phases = Map.of();
        private Map<String, Double> measurements = Map.of();
        private Map<String, List<Double>> samples = Map.of();
        private Map<String, String> attributes = Map.of();
        private List<AssertionOutcome> assertions = List.of();
        private Map<String, String> labels = Map.of();
        private List<ProbeResult> followUps = List.of();

        private Builder() {
        }

        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        public Builder taskId(String taskId) {
            this.taskId = Objects.requireNonNull(taskId, "taskId");
            return this;
        }

        public Builder type(String type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** Sets the status explicitly, overriding the one derived from the error. */
        public Builder status(ProbeStatus status) {
            this.status = status;
            return this;
        }

        /** Sets the error; unless {@link #status(ProbeStatus)} is called, the status becomes the kind's status. */
        public Builder error(ErrorKind kind, String message) {
            return error(ProbeError.of(kind, message));
        }

        public Builder error(ProbeError error) {
            this.error = error;
            return this;
        }

        /** Removes the error and any explicit status (the result becomes a success). */
        public Builder clearError() {
            this.error = null;
            this.status = null;
            return this;
        }

        public Builder startedAt(Instant startedAt) {
            this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        /** Total duration from a {@link System#nanoTime()} difference. */
        public Builder durationNanos(long nanos) {
            return duration(Duration.ofNanos(nanos));
        }

        public Builder phase(String name, Duration duration) {
            phases = writable(phases);
            phases.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(duration, "duration"));
            return this;
        }

        /** A phase from a {@link System#nanoTime()} difference. */
        public Builder phaseNanos(String name, long nanos) {
            return phase(name, Duration.ofNanos(nanos));
        }

        public Builder measurement(String name, double value) {
            measurements = writable(measurements);
            measurements.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** Replaces the named sample series; {@code null} entries mark lost samples. */
        public Builder samples(String name, List<Double> values) {
            samples = writable(samples);
            samples.put(Objects.requireNonNull(name, "name"), Collections.unmodifiableList(new ArrayList<>(values)));
            return this;
        }

        public Builder attribute(String name, String value) {
            attributes = writable(attributes);
            attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder assertion(AssertionOutcome outcome) {
            if (!(assertions instanceof ArrayList)) {
                assertions = new ArrayList<>(assertions);
            }
            assertions.add(Objects.requireNonNull(outcome, "outcome"));
            return this;
        }

        public Builder label(String name, String value) {
            labels = writable(labels);
            labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder labels(Map<String, String> labels) {
            labels.forEach(this::label);
            return this;
        }

        /** Replaces the follow-up results ({@link ProbeResult#followUps()}). @since 0.1 */
        public Builder followUps(List<ProbeResult> results) {
            this.followUps = List.copyOf(results);
            return this;
        }

        /** @throws NullPointerException if the start time was never set */
        public ProbeResult build() {
            return new ProbeResult(this);
        }
    }
}
