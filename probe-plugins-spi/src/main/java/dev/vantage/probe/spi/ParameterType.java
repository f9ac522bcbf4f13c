package dev.vantage.probe.spi;

/**
 * The type of a probe parameter, with the Java type {@link ProbeConfig} hands to the probe.
 *
 * @since 0.1
 */
public enum ParameterType {
    /** Text; {@link String}. Bounds apply to its length; an optional regex pattern must match it whole. */
    STRING,
    /** A whole number; {@link Long}. */
    INTEGER,
    /** A decimal number; {@link Double}. */
    NUMBER,
    /** {@code true} or {@code false}; {@link Boolean}. */
    BOOLEAN,
    /** A duration written {@code 250ms}, {@code 1.5s}, {@code 2m} or {@code PT1S}; {@link java.time.Duration}. Bounds in milliseconds. */
    DURATION,
    /** One of {@link ParameterSpec#allowedValues()}; {@link String}. */
    ENUM,
    /** A list of text values; {@code List<String>}. Bounds apply to its size. */
    STRING_LIST,
    /** Text keys to text values, e.g. HTTP headers; {@code Map<String, String>}. Bounds apply to its size. */
    STRING_MAP
}
