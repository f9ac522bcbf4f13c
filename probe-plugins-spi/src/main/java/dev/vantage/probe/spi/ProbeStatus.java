package dev.vantage.probe.spi;

/**
 * The outcome of one attempt, in the four states users alert on.
 *
 * @since 0.1
 */
public enum ProbeStatus {
    /** The target answered as expected and every assertion held. */
    SUCCESS,
    /** The target was tried and did not answer as expected (refused, unreachable, wrong reply, failed assertion). */
    FAILURE,
    /** No answer within the deadline. */
    TIMEOUT,
    /** The attempt could not be made properly (bad configuration, address policy, a bug in the probe). */
    ERROR
}
