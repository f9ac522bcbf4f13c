package dev.vantage.probe.spi;

import java.util.Objects;

/**
 * A classified error: its {@link ErrorKind} and a human-readable message (never a secret).
 *
 * @since 0.1
 */
public final class ProbeError {
    private final ErrorKind kind;
    private final String message;

    private ProbeError(ErrorKind kind, String message) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.message = message == null ? "" : message;
    }

    public static ProbeError of(ErrorKind kind, String message) {
        return new ProbeError(kind, message);
    }

    public ErrorKind kind() {
        return kind;
    }

    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbeError e && kind == e.kind && message.equals(e.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, message);
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
