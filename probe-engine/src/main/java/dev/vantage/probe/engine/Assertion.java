package dev.vantage.probe.engine;

import java.util.Locale;

/**
 * A check the engine applies to each result of a task. A failed assertion turns the result into
 * {@code FAILURE} with error kind {@code ASSERTION} and records which assertion failed and the actual value.
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code status}: {@code SUCCESS}, {@code FAILURE}, {@code TIMEOUT} or {@code ERROR} ({@code eq}, {@code ne});</li>
 *   <li>{@code durationMs}: the total duration in milliseconds;</li>
 *   <li>{@code phase.<name>}: a phase duration in milliseconds, e.g. {@code phase.connect};</li>
 *   <li>{@code measurement.<name>}: a measurement, e.g. {@code measurement.lossPercent};</li>
 *   <li>{@code attribute.<name>}: a string attribute, e.g. {@code attribute.body}, optionally read as JSON through
 *       {@code jsonPointer} (RFC 6901), e.g. {@code /status}.</li>
 * </ul>
 * Numeric fields take {@code lt le eq ne ge gt}; {@code status} takes {@code eq ne}; attributes take
 * {@code equals}, {@code contains}, {@code matches} (a regex found anywhere; anchor it for a whole match) and their
 * {@code not_} forms, and {@code lt le eq ne ge gt} when the value is numeric.
 *
 * <p>Attributes also take list ops, which read the attribute (or the value at {@code jsonPointer}) as a list: the
 * elements of a JSON array, or else the whole text as a single element. {@code includes} and {@code not_includes}
 * ask whether one element equals the value; {@code set_equals} whether the elements, as a set, are exactly the
 * comma-separated values; {@code within_cidr} whether there is at least one element and every element is an IP
 * address inside one of the comma-separated ranges ({@code 192.0.2.0/24, 2001:db8::/32}). Two IP addresses are
 * equal when they are the same address, however written ({@code 2001:DB8::1} and {@code 2001:db8:0:0:0:0:0:1}).
 * They are how a DNS task says "the answer contains X", "the answer is exactly this set" and "every answer lies
 * in our ranges" (hijack detection).
 *
 * @param field       which part of the result to check
 * @param op          the comparison
 * @param value       the expected value, as text
 * @param jsonPointer for attributes holding JSON: the value at this pointer is compared; {@code null} otherwise
 */
public record Assertion(String field, Op op, String value, String jsonPointer) {

    public static Assertion of(String field, Op op, String value) {
        return new Assertion(field, op, value, null);
    }

    /** The comparison an assertion makes. */
    public enum Op {
        LT, LE, EQ, NE, GE, GT, EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS, MATCHES, NOT_MATCHES,
        /** One element of the list equals the value. @since 0.1 */
        INCLUDES,
        /** No element of the list equals the value. @since 0.1 */
        NOT_INCLUDES,
        /** The list's elements, as a set, are exactly the comma-separated values. @since 0.1 */
        SET_EQUALS,
        /** The list has elements, and each is an IP address inside one of the comma-separated ranges. @since 0.1 */
        WITHIN_CIDR;

        /** The lower-case name used in JSON, e.g. {@code lt} or {@code not_contains}. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** True for {@code lt le eq ne ge gt}. */
        public boolean numeric() {
            return ordinal() <= GT.ordinal();
        }

        /**
         * True for the ops that read their field as a list: {@code includes not_includes set_equals within_cidr}.
         *
         * @since 0.1
         */
        public boolean list() {
            return ordinal() >= INCLUDES.ordinal();
        }

        /** The op for a JSON name, or {@code null} if there is none. */
        public static Op fromJson(String name) {
            for (Op op : values()) {
                if (op.jsonName().equals(name)) {
                    return op;
                }
            }
            return null;
        }
    }

    /** Readable form, e.g. {@code phase.connect lt 50}, used in results and error messages. */
    @Override
    public String toString() {
        return field + (jsonPointer != null ? jsonPointer : "") + " " + op.jsonName() + " " + value;
    }
}
