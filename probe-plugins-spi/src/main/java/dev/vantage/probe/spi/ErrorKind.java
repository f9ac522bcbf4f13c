package dev.vantage.probe.spi;

/**
 * Why an attempt did not succeed, classified so that users can alert and aggregate on it. New kinds may be added
 * in minor releases: code that switches over this enum needs a {@code default} branch.
 *
 * @since 0.1
 */
public enum ErrorKind {
    /** No answer before the deadline. */
    TIMEOUT(ProbeStatus.TIMEOUT),
    /** The target actively refused (TCP RST, ICMP port unreachable). */
    REFUSED(ProbeStatus.FAILURE),
    /** No route, host or network unreachable, TTL exceeded. */
    UNREACHABLE(ProbeStatus.FAILURE),
    /** The name did not resolve. */
    DNS(ProbeStatus.FAILURE),
    /** The TLS handshake or certificate verification failed. */
    TLS(ProbeStatus.FAILURE),
    /** The peer answered but not in the expected protocol (bad HTTP, unexpected reply bytes). */
    PROTOCOL(ProbeStatus.FAILURE),
    /** The attempt worked but an assertion on its result did not hold. */
    ASSERTION(ProbeStatus.FAILURE),
    /** The probe's configuration or environment is wrong (missing permission, bad parameter). */
    CONFIG(ProbeStatus.ERROR),
    /** The embedder's address policy refused an address the probe was about to contact. */
    POLICY(ProbeStatus.ERROR),
    /** The attempt was cancelled before it finished, for example because its task was removed. */
    CANCELLED(ProbeStatus.ERROR),
    /** A bug: the probe threw something unexpected. */
    INTERNAL(ProbeStatus.ERROR);

    private final ProbeStatus status;

    ErrorKind(ProbeStatus status) {
        this.status = status;
    }

    /** The status a result with this error has unless the probe sets another. */
    public ProbeStatus status() {
        return status;
    }
}
