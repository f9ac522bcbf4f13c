package dev.vantage.server.config;

/** A configured secret: its {@code toString} never shows the value, so it cannot end up in a log line. */
public record Secret(String value) {
    public boolean isEmpty() {
        return value == null || value.isEmpty();
    }

    @Override
    public String toString() {
        return isEmpty() ? "(unset)" : "******";
    }
}
