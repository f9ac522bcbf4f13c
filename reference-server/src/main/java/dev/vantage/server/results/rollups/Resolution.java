package dev.vantage.server.results.rollups;

import java.time.Duration;
import java.time.Instant;

/** The bucket sizes rollups are kept at, finest first. Buckets are aligned to the epoch (a day starts at 00:00 UTC). */
public enum Resolution {
    MINUTE("1m", Duration.ofMinutes(1)),
    HOUR("1h", Duration.ofHours(1)),
    DAY("1d", Duration.ofDays(1));

    private final String label;
    private final Duration size;

    Resolution(String label, Duration size) {
        this.label = label;
        this.size = size;
    }

    /** How it is written in the database and the API: {@code 1m}, {@code 1h}, {@code 1d}. */
    public String label() {
        return label;
    }

    public Duration size() {
        return size;
    }

    /** The start of the bucket holding {@code t}. */
    public Instant floor(Instant t) {
        long ms = size.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), ms) * ms);
    }

    /** {@code t} if it starts a bucket, else the start of the next one. */
    public Instant ceil(Instant t) {
        Instant f = floor(t);
        return f.equals(t) ? t : f.plus(size);
    }

    /** Whether a bucket of {@code bucket} is made of whole buckets of this resolution. */
    public boolean divides(Duration bucket) {
        return bucket.toMillis() % size.toMillis() == 0 && bucket.toNanos() % 1_000_000 == 0;
    }

    static Resolution ofLabel(String label) {
        for (Resolution r : values()) {
            if (r.label.equals(label)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no resolution " + label);
    }
}
