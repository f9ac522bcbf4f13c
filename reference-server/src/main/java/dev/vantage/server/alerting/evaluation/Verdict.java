package dev.vantage.server.alerting.evaluation;

/** What a condition says of the results it has seen. */
public enum Verdict {
    /** The condition holds: the target looks bad. */
    BAD,
    /** The condition does not hold. */
    GOOD,
    /** Not enough to tell (no results yet, or a statistical test that is not yet sure either way): keep the state. */
    UNKNOWN
}
