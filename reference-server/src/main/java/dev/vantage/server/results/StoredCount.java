package dev.vantage.server.results;

/**
 * What became of a batch of results: how many were stored now, and how many were already there (an agent resent
 * them after a lost ack) and were skipped.
 */
public record StoredCount(int stored, int duplicates) {
    public static final StoredCount NONE = new StoredCount(0, 0);

    public StoredCount plus(StoredCount other) {
        return new StoredCount(stored + other.stored, duplicates + other.duplicates);
    }
}
