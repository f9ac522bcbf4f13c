package dev.vantage.probe.spi;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Describes one parameter of a probe type: name, type, default, bounds, description, and whether it is secret.
 * The engine validates task specs against these descriptions and user interfaces draw forms from them.
 *
 * <p>Defaults use the Java type of {@link ParameterType}. A secret parameter (password, token) is never returned
 * by the server's API nor written to logs.
 *
 * @since 0.1
 */
public final class ParameterSpec {
    private static final Pattern NAME = Pattern.compile("[a-z][A-Za-z0-9]*");

    private final String name;
    private final ParameterType type;
    private final String description;
    private final Object defaultValue;
    private final boolean required;
    private final boolean secret;
    private final Double min;
    private final Double max;
    private final List<String> allowedValues;
    private final String pattern;

    private ParameterSpec(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.description = b.description;
        this.defaultValue = b.defaultValue;
        this.required = b.required;
        this.secret = b.secret;
        this.min = b.min;
        this.max = b.max;
        this.allowedValues = List.copyOf(b.allowedValues);
        this.pattern = b.pattern;
    }

    /** The same parameter described in other words (another language). */
    ParameterSpec withDescription(String description) {
        Builder b = new Builder(name, type).description(description).required(required).secret(secret)
                .allowedValues(allowedValues);
        b.defaultValue = defaultValue;
        b.min = min;
        b.max = max;
        b.pattern = pattern;
        return new ParameterSpec(b);
    }

    /**
     * @param name lowerCamelCase, e.g. {@code count} or {@code followRedirects}
     */
    public static Builder builder(String name, ParameterType type) {
        return new Builder(name, type);
    }

    public String name() {
        return name;
    }

    public ParameterType type() {
        return type;
    }

    public String description() {
        return description;
    }

    /** The default in the type's Java type, or {@code null} if there is none. */
    public Object defaultValue() {
        return defaultValue;
    }

    /** True if a task must set this parameter (a required parameter has no default). */
    public boolean required() {
        return required;
    }

    /** True if the value is a secret: never shown by APIs nor logged. */
    public boolean secret() {
        return secret;
    }

    /** Lower bound (inclusive): the value for numbers, milliseconds for durations, length or size otherwise. */
    public Double min() {
        return min;
    }

    /** Upper bound (inclusive), in the same unit as {@link #min()}. */
    public Double max() {
        return max;
    }

    /** The values an {@link ParameterType#ENUM} accepts; empty for other types. */
    public List<String> allowedValues() {
        return allowedValues;
    }

    /** A regular expression a {@link ParameterType#STRING} must match whole, or {@code null}. */
    public String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return name + ":" + type;
    }

    /** Builds a {@link ParameterSpec}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final ParameterType type;
        private String description = "";
        private Object defaultValue;
        private boolean required;
        private boolean secret;
        private Double min;
        private Double max;
        private List<String> allowedValues = List.of();
        private String pattern;

        private Builder(String name, ParameterType type) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("parameter name must be lowerCamelCase: " + name);
            }
            this.name = name;
            this.type = Objects.requireNonNull(type, "type");
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        public Builder defaultValue(Object defaultValue) {
            this.defaultValue = defaultValue;
            return this;
        }

        public Builder required(boolean required) {
            this.required = required;
            return this;
        }

        public Builder secret(boolean secret) {
            this.secret = secret;
            return this;
        }

        public Builder min(double min) {
            this.min = min;
            return this;
        }

        public Builder max(double max) {
            this.max = max;
            return this;
        }

        public Builder allowedValues(List<String> values) {
            this.allowedValues = List.copyOf(values);
            return this;
        }

        public Builder allowedValues(String... values) {
            return allowedValues(List.of(values));
        }

        public Builder pattern(String regex) {
            Pattern.compile(regex); // fail fast on a bad pattern in the plugin, not at validation time
            this.pattern = regex;
            return this;
        }

        /** @throws IllegalArgumentException if the description contradicts itself */
        public ParameterSpec build() {
            if (required && defaultValue != null) {
                throw new IllegalArgumentException(name + ": a required parameter has no default");
            }
            if (type == ParameterType.ENUM && allowedValues.isEmpty()) {
                throw new IllegalArgumentException(name + ": an ENUM parameter needs allowedValues");
            }
            if (min != null && max != null && min > max) {
                throw new IllegalArgumentException(name + ": min > max");
            }
            return new ParameterSpec(this);
        }
    }
}
