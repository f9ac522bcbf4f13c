package dev.vantage.probe.engine.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Result ids: UUID version 7 (millisecond time first, then random bits), so ids sort by time in databases and are
 * cheap to make; {@link UUID#randomUUID()} would cost a SecureRandom call per result.
 */
public final class Ids {
    private Ids() {
    }

    public static String next(long epochMillis) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (epochMillis << 16) | 0x7000L | (r.nextLong() & 0x0fffL);
        long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
