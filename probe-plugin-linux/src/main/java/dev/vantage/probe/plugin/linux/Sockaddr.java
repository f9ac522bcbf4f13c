package dev.vantage.probe.plugin.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** struct sockaddr_in / sockaddr_in6 to and from {@link InetAddress}es. */
public final class Sockaddr {
    /** struct sockaddr_in6 is the larger of the two. */
    public static final int SIZE = LibC.SOCKADDR_SIZE;

    private Sockaddr() {
    }

    /** Writes {@code address} and {@code port} at the start of {@code s} (at least {@link #SIZE} bytes); returns the length. */
    public static int write(MemorySegment s, InetAddress address, int port) {
        s.asSlice(0, SIZE).fill((byte) 0);
        short portBigEndian = Short.reverseBytes((short) port);
        if (address instanceof Inet6Address v6) {
            s.set(JAVA_SHORT, 0, (short) LibC.AF_INET6);
            s.set(JAVA_SHORT, 2, portBigEndian);
            MemorySegment.copy(v6.getAddress(), 0, s, JAVA_BYTE, 8, 16);
            s.set(JAVA_INT, 24, v6.getScopeId());
            return 28;
        }
        s.set(JAVA_SHORT, 0, (short) LibC.AF_INET);
        s.set(JAVA_SHORT, 2, portBigEndian);
        MemorySegment.copy(address.getAddress(), 0, s, JAVA_BYTE, 4, 4);
        return 16;
    }

    /** The address in a sockaddr_in or sockaddr_in6 (by its family field), or null for another family. */
    public static InetAddress read(MemorySegment s) {
        int family = s.get(JAVA_SHORT, 0);
        if (family == LibC.AF_INET) {
            return address(s.asSlice(4, 4).toArray(JAVA_BYTE));
        }
        if (family == LibC.AF_INET6) {
            return address(s.asSlice(8, 16).toArray(JAVA_BYTE));
        }
        return null;
    }

    /** The port in a sockaddr_in or sockaddr_in6. */
    public static int port(MemorySegment s) {
        return Short.toUnsignedInt(Short.reverseBytes(s.get(JAVA_SHORT, 2)));
    }

    /** An address from 4 or 16 raw bytes. */
    public static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }
}
