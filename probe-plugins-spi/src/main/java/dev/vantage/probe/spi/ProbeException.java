package dev.vantage.probe.spi;

import java.util.Objects;

/**
 * A classified failure of one attempt. Thrown by {@link ProbeContext#resolve(String)} and
 * {@link ProbeContext#checkAddress(java.net.InetSocketAddress)}; a probe may throw it too (or complete its stage
 * with it), and the engine turns it into a result with this {@link #kind()}.
 *
 * @since 0.1
 */
public class ProbeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    public ProbeException(ErrorKind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public ProbeException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public ErrorKind kind() {
        return kind;
    }

    /** This failure as a result error. */
    public ProbeError toError() {
        return ProbeError.of(kind, getMessage());
    }
}
