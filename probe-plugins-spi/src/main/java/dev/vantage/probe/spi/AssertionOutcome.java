package dev.vantage.probe.spi;

import java.util.Objects;

/**
 * The outcome of one assertion evaluated by the engine on a result: the assertion as written, whether it held,
 * and the actual value it saw (so a failure says what was expected and what came).
 *
 * @since 0.1
 */
public final class AssertionOutcome {
    private final String assertion;
    private final boolean passed;
    private final String actual;

    private AssertionOutcome(String assertion, boolean passed, String actual) {
        this.assertion = Objects.requireNonNull(assertion, "assertion");
        this.passed = passed;
        this.actual = actual;
    }

    /**
     * @param assertion the assertion in readable form, e.g. {@code phase.connect lt 50}
     * @param actual    the value seen, or {@code null} if the field was missing
     */
    public static AssertionOutcome of(String assertion, boolean passed, String actual) {
        return new AssertionOutcome(assertion, passed, actual);
    }

    public String assertion() {
        return assertion;
    }

    public boolean passed() {
        return passed;
    }

    /** The actual value seen, or {@code null} if the field was missing from the result. */
    public String actual() {
        return actual;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AssertionOutcome a && passed == a.passed && assertion.equals(a.assertion)
                && Objects.equals(actual, a.actual);
    }

    @Override
    public int hashCode() {
        return Objects.hash(assertion, passed, actual);
    }

    @Override
    public String toString() {
        return assertion + (passed ? " passed" : " failed") + " (actual " + actual + ")";
    }
}
