package dev.vantage.plugins.traceroute;

import static dev.vantage.probe.plugin.linux.IcmpTypes.ECHO_REQUEST_V4;
import static dev.vantage.probe.plugin.linux.IcmpTypes.ECHO_REQUEST_V6;
import static dev.vantage.probe.plugin.linux.IcmpTypes.isUnreachable;

import dev.vantage.probe.plugin.linux.InternetChecksum;
import dev.vantage.probe.plugin.linux.LibC;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The probes' bytes and the reading of what comes back. Every probe of one trace belongs to one flow (Paris
 * traceroute): ICMP probes keep identifier and checksum (the sequence number is offset by the first payload word),
 * UDP and TCP probes keep both ports; only fields that load balancers do not hash on tell probes apart.
 */
final class Packets {
    static final int ICMP_PAYLOAD = 32;
    static final int UDP_PAYLOAD = 12;
    static final int TCP_HEADER = 20;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int RFC4884_MIN_ORIGINAL = 128;
    private static final int MPLS_CLASS = 1;

    private Packets() {
    }

    static int u8(MemorySegment b, long offset) {
        return b.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
    }

    static int u16(MemorySegment b, long offset) {
        return b.get(U16, offset) & 0xffff;
    }

    /**
     * An echo request whose checksum is the same for every {@code seq} of the flow: the first payload word is
     * {@code flow - seq} in one's complement arithmetic, so the sum over the header and payload stays constant.
     *
     * @param checksum write the checksum (raw IPv4; the kernel does it for ICMPv6 and ping sockets)
     * @return the length
     */
    static int echoRequest(MemorySegment buf, boolean v6, int id, int seq, int flow, boolean checksum) {
        buf.asSlice(0, 8 + ICMP_PAYLOAD).fill((byte) 0);
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) (v6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4));
        buf.set(U16, 4, (short) id);
        buf.set(U16, 6, (short) seq);
        int w = flow + (~seq & 0xffff);
        w = (w & 0xffff) + (w >>> 16);
        buf.set(U16, 8, (short) w);
        if (checksum) {
            buf.set(U16, 2, (short) InternetChecksum.of(buf, 0, 8 + ICMP_PAYLOAD));
        }
        return 8 + ICMP_PAYLOAD;
    }

    /** A UDP payload that names the probe (the kernel hands it back with an ICMP error about it). */
    static int udpPayload(MemorySegment buf, int token) {
        buf.asSlice(0, UDP_PAYLOAD).fill((byte) 0);
        buf.set(U16, 0, (short) token);
        return UDP_PAYLOAD;
    }

    /**
     * A TCP SYN from {@code sourcePort} to {@code port} with sequence number {@code seq}; the IPv4 checksum over
     * the pseudo-header (IPv6: the kernel's, IPV6_CHECKSUM).
     */
    static int tcpSyn(MemorySegment buf, InetAddress source, InetAddress destination, int sourcePort, int port,
                      int seq) {
        buf.asSlice(0, TCP_HEADER).fill((byte) 0);
        buf.set(U16, 0, (short) sourcePort);
        buf.set(U16, 2, (short) port);
        buf.set(U32, 4, seq);
        buf.set(ValueLayout.JAVA_BYTE, 12, (byte) (5 << 4));
        buf.set(ValueLayout.JAVA_BYTE, 13, (byte) 0x02); // SYN
        buf.set(U16, 14, (short) 64240);
        if (source.getAddress().length == 4) {
            MemorySegment pseudo = MemorySegment.ofArray(new byte[12]);
            MemorySegment.copy(source.getAddress(), 0, pseudo, ValueLayout.JAVA_BYTE, 0, 4);
            MemorySegment.copy(destination.getAddress(), 0, pseudo, ValueLayout.JAVA_BYTE, 4, 4);
            pseudo.set(ValueLayout.JAVA_BYTE, 9, (byte) LibC.IPPROTO_TCP);
            pseudo.set(U16, 10, (short) TCP_HEADER);
            long sum = InternetChecksum.sum(buf, 0, TCP_HEADER, InternetChecksum.sum(pseudo, 0, 12, 0));
            buf.set(U16, 16, (short) InternetChecksum.fold(sum));
        }
        return TCP_HEADER;
    }

    /** The length of the IPv4 header at {@code offset}, or -1 if there is no plausible one. */
    static int ipv4HeaderLength(MemorySegment buf, int length, int offset) {
        if (length - offset < 20) {
            return -1;
        }
        int first = u8(buf, offset);
        int headerLength = (first & 0x0f) * 4;
        if ((first & 0xf0) != 0x40 || headerLength < 20 || length - offset < headerLength) {
            return -1;
        }
        return headerLength;
    }

    /** Where the quoted packet's transport header starts inside an ICMP error at {@code icmp}, or -1. */
    static int quotedTransport(MemorySegment buf, int length, int icmp, boolean v6, int protocol) {
        int inner = icmp + 8;
        if (v6) {
            return length - inner >= 48 && u8(buf, inner + 6) == protocol ? inner + 40 : -1;
        }
        int h = ipv4HeaderLength(buf, length, inner);
        return h > 0 && u8(buf, inner + 9) == protocol && length - inner - h >= 8 ? inner + h : -1;
    }

    static boolean isPortUnreachable(boolean v6, int type, int code) {
        return isUnreachable(v6, type) && code == (v6 ? 4 : 3);
    }

    /**
     * MPLS label stack entries from the ICMP extension structure (RFC 4884, RFC 4950) of a time-exceeded or
     * unreachable message at {@code icmp}: each as {label, traffic class, bottom-of-stack, TTL}. Empty if none.
     * Also reads the extensions of routers that put them after a fixed 128-byte quote without the length field.
     */
    static List<int[]> mplsLabels(MemorySegment buf, int length, int icmp, boolean v6) {
        List<int[]> labels = new ArrayList<>();
        int quotedWords = u8(buf, icmp + (v6 ? 4 : 5));
        int quoted = quotedWords * (v6 ? 8 : 4);
        if (quoted == 0) {
            quoted = RFC4884_MIN_ORIGINAL;
        } else if (quoted < RFC4884_MIN_ORIGINAL) {
            return labels;
        }
        int ext = icmp + 8 + quoted;
        if (length - ext < 8 || (u8(buf, ext) >> 4) != 2) {
            return labels;
        }
        int object = ext + 4;
        while (length - object >= 4) {
            int objectLength = u16(buf, object);
            if (objectLength < 4 || object + objectLength > length) {
                break;
            }
            if (u8(buf, object + 2) == MPLS_CLASS && u8(buf, object + 3) == 1) {
                for (int e = object + 4; e + 4 <= object + objectLength; e += 4) {
                    int entry = buf.get(U32, e);
                    labels.add(new int[] {entry >>> 12, (entry >>> 9) & 7, (entry >>> 8) & 1, entry & 0xff});
                }
            }
            object += objectLength;
        }
        return labels;
    }

    /** An address as people write it: IPv6 in the short form of RFC 5952 ({@code fd00:1::2}), IPv4 dotted. */
    static String text(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return address.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
