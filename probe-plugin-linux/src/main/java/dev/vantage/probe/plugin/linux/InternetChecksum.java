package dev.vantage.probe.plugin.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The Internet checksum (RFC 1071) of ICMP, UDP and TCP, computed in place on a memory segment. */
public final class InternetChecksum {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private InternetChecksum() {
    }

    /** The checksum of {@code length} bytes at {@code offset}; 0 when run over a packet whose checksum is right. */
    public static int of(MemorySegment buf, long offset, int length) {
        return fold(sum(buf, offset, length, 0));
    }

    /**
     * The one's complement sum (not yet folded or inverted) of {@code length} bytes, added to {@code sum}: for
     * checksums over several parts, such as a TCP pseudo-header and the segment.
     */
    public static long sum(MemorySegment buf, long offset, int length, long sum) {
        long end = offset + (length & ~1);
        for (long i = offset; i < end; i += 2) {
            sum += buf.get(U16, i) & 0xffff;
        }
        if ((length & 1) != 0) {
            sum += (buf.get(ValueLayout.JAVA_BYTE, end) & 0xff) << 8;
        }
        return sum;
    }

    /** Folds a {@link #sum} to 16 bits and inverts it: the value to write into the checksum field. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
