package dev.vantage.probe.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A probe's validated configuration: the target, the attempt timeout, and typed parameter values with defaults
 * already applied. The engine builds it after checking the raw values against {@link ProbeDescriptor#parameters()},
 * so a typed getter returns the Java type of the parameter's {@link ParameterType}. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ProbeConfig {
    private final String taskId;
    private final String target;
    private final Duration timeout;
    private final Map<String, Object> values;

    private ProbeConfig(Builder b) {
        this.taskId = b.taskId;
        this.target = Objects.requireNonNull(b.target, "target");
        this.timeout = b.timeout;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(b.values));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The id of the task this probe serves ({@code ""} for an ad-hoc run). */
    public String taskId() {
        return taskId;
    }

    /** The target as the user wrote it: a host, an address, {@code host:port} or a URL, per probe type. */
    public String target() {
        return target;
    }

    /** The per-attempt timeout the engine enforces; probes may use it to size their own waits. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * How long an attempt has until {@link ProbeContext#deadline()}: the timeout less the engine's margin
     * ({@link #deadlineMargin(Duration)}). Check at creation that what one attempt must do fits in it.
     */
    public Duration budget() {
        return timeout.minus(deadlineMargin(timeout));
    }

    /**
     * How long before the engine's cut-off (the timeout) a probe's {@link ProbeContext#deadline()} lies: a tenth
     * of the timeout, at most 100 ms, so that a probe that stops there still reports its own detailed result.
     */
    public static Duration deadlineMargin(Duration timeout) {
        Duration tenth = timeout.dividedBy(10);
        return tenth.compareTo(MAX_DEADLINE_MARGIN) < 0 ? tenth : MAX_DEADLINE_MARGIN;
    }

    private static final Duration MAX_DEADLINE_MARGIN = Duration.ofMillis(100);

    /** Every parameter value (defaults included), by name. */
    public Map<String, Object> values() {
        return values;
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }

    public String string(String name) {
        return get(name, String.class);
    }

    public long integer(String name) {
        return get(name, Long.class);
    }

    public double number(String name) {
        return get(name, Double.class);
    }

    public boolean bool(String name) {
        return get(name, Boolean.class);
    }

    public Duration duration(String name) {
        return get(name, Duration.class);
    }

    @SuppressWarnings("unchecked")
    public List<String> stringList(String name) {
        return get(name, List.class);
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> stringMap(String name) {
        return get(name, Map.class);
    }

    private <T> T get(String name, Class<T> type) {
        Object v = values.get(name);
        if (v == null) {
            throw new NoSuchElementException("parameter '" + name + "' is not set and has no default");
        }
        if (!type.isInstance(v)) {
            throw new ClassCastException("parameter '" + name + "' is " + v.getClass().getSimpleName()
                    + ", not " + type.getSimpleName());
        }
        return type.cast(v);
    }

    /** Builds a {@link ProbeConfig}. Not thread-safe. */
    public static final class Builder {
        private String taskId = "";
        private String target;
        private Duration timeout = Duration.ofSeconds(5);
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder taskId(String taskId) {
            this.taskId = Objects.requireNonNull(taskId, "taskId");
            return this;
        }

        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Sets a value in its parameter type's Java type ({@link Long}, {@link Duration}, ...). */
        public Builder value(String name, Object value) {
            values.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        public ProbeConfig build() {
            return new ProbeConfig(this);
        }
    }
}
