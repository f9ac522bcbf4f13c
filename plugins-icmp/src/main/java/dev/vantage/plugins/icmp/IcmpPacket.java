package dev.vantage.plugins.icmp;

import static dev.vantage.probe.plugin.linux.IcmpTypes.ECHO_REPLY_V4;
import static dev.vantage.probe.plugin.linux.IcmpTypes.ECHO_REPLY_V6;
import static dev.vantage.probe.plugin.linux.IcmpTypes.ECHO_REQUEST_V4;
import static dev.vantage.probe.plugin.linux.IcmpTypes.ECHO_REQUEST_V6;
import static dev.vantage.probe.plugin.linux.IcmpTypes.TIME_EXCEEDED_V4;
import static dev.vantage.probe.plugin.linux.IcmpTypes.TIME_EXCEEDED_V6;
import static dev.vantage.probe.plugin.linux.IcmpTypes.UNREACHABLE_V4;
import static dev.vantage.probe.plugin.linux.IcmpTypes.UNREACHABLE_V6;

import dev.vantage.probe.plugin.linux.InternetChecksum;
import dev.vantage.probe.plugin.linux.LibC;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Encodes ICMP/ICMPv6 echo requests and decodes what comes back. Works in place on memory segments so that the
 * receive path allocates nothing.
 */
final class IcmpPacket {
    static final int HEADER_SIZE = 8;

    static final int NONE = 0;
    static final int REPLY = 1;
    static final int ERROR = 2;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int IPV4_MIN_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final byte PAYLOAD_FILL = 0x5a;

    /** A decoded message, refilled for each packet by the channel's single thread. */
    static final class Message {
        /** {@link #NONE} (ignore it), {@link #REPLY} or {@link #ERROR}. */
        int kind;
        int type;
        int code;
        /** Identifier and sequence of the echo request this message answers. */
        int id;
        int seq;
        /** For an ERROR with the original header embedded: where its destination address starts; else -1. */
        int originalDestination;
    }

    private IcmpPacket() {
    }

    /**
     * Writes an echo request (header and {@code payloadSize} payload bytes) at the start of {@code buf}.
     *
     * @param checksum compute the checksum; only raw IPv4 needs it (the kernel does it for ICMPv6 and ping sockets)
     * @return the packet length
     */
    static int writeEchoRequest(MemorySegment buf, boolean v6, int id, int seq, int payloadSize, boolean checksum) {
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) (v6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4));
        buf.set(ValueLayout.JAVA_BYTE, 1, (byte) 0);
        buf.set(U16, 2, (short) 0);
        buf.set(U16, 4, (short) id);
        buf.set(U16, 6, (short) seq);
        int length = HEADER_SIZE + payloadSize;
        buf.asSlice(HEADER_SIZE, payloadSize).fill(PAYLOAD_FILL);
        if (checksum) {
            buf.set(U16, 2, (short) InternetChecksum.of(buf, 0, length));
        }
        return length;
    }

    /**
     * Decodes a message read from an ICMP socket: an echo reply, or a destination-unreachable / time-exceeded
     * error that embeds one of our echo requests. Anything else (including our own requests, which raw sockets see
     * on loopback) decodes as {@link #NONE}.
     *
     * @param withIpHeader true for raw IPv4 sockets, which deliver the IP header too
     */
    static void decode(MemorySegment buf, int length, boolean v6, boolean withIpHeader, Message out) {
        out.kind = NONE;
        out.originalDestination = -1;
        int offset = 0;
        if (withIpHeader) {
            offset = ipv4HeaderLength(buf, length, 0);
            if (offset < 0 || (buf.get(ValueLayout.JAVA_BYTE, 9) != LibC.IPPROTO_ICMP)
                    || InternetChecksum.of(buf, offset, length - offset) != 0) {
                return;
            }
        }
        if (length - offset < HEADER_SIZE) {
            return;
        }
        int type = buf.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
        out.type = type;
        out.code = buf.get(ValueLayout.JAVA_BYTE, offset + 1) & 0xff;
        if (type == (v6 ? ECHO_REPLY_V6 : ECHO_REPLY_V4)) {
            readIds(buf, offset, out);
            out.kind = REPLY;
        } else if (v6 ? type == UNREACHABLE_V6 || type == TIME_EXCEEDED_V6
                : type == UNREACHABLE_V4 || type == TIME_EXCEEDED_V4) {
            decodeEmbedded(buf, length, v6, offset + HEADER_SIZE, out);
        }
    }

    /** Reads the original IP header and echo request quoted by an ICMP error starting at {@code inner}. */
    private static void decodeEmbedded(MemorySegment buf, int length, boolean v6, int inner, Message out) {
        int echo;
        int destination;
        if (v6) {
            // Our requests carry no extension headers, so "next header" is ICMPv6 right after the fixed header.
            if (length - inner < IPV6_HEADER || (buf.get(ValueLayout.JAVA_BYTE, inner + 6) != LibC.IPPROTO_ICMPV6)) {
                return;
            }
            echo = inner + IPV6_HEADER;
            destination = inner + 24;
        } else {
            int headerLength = ipv4HeaderLength(buf, length, inner);
            if (headerLength < 0 || buf.get(ValueLayout.JAVA_BYTE, inner + 9) != LibC.IPPROTO_ICMP) {
                return;
            }
            echo = inner + headerLength;
            destination = inner + 16;
        }
        if (length - echo < HEADER_SIZE
                || (buf.get(ValueLayout.JAVA_BYTE, echo) & 0xff) != (v6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4)) {
            return;
        }
        readIds(buf, echo, out);
        out.originalDestination = destination;
        out.kind = ERROR;
    }

    /**
     * Decodes an error a ping socket queued (IP_RECVERR): the kernel hands back our original echo request and
     * gives the ICMP type and code separately.
     */
    static void decodeQueuedError(MemorySegment buf, int length, boolean v6, int type, int code, Message out) {
        out.kind = NONE;
        out.originalDestination = -1;
        if (length < HEADER_SIZE
                || (buf.get(ValueLayout.JAVA_BYTE, 0) & 0xff) != (v6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4)) {
            return;
        }
        out.type = type;
        out.code = code;
        readIds(buf, 0, out);
        out.kind = ERROR;
    }

    private static void readIds(MemorySegment buf, int icmp, Message out) {
        out.id = buf.get(U16, icmp + 4) & 0xffff;
        out.seq = buf.get(U16, icmp + 6) & 0xffff;
    }

    /** The length of the IPv4 header at {@code offset}, or -1 if there is no plausible one. */
    private static int ipv4HeaderLength(MemorySegment buf, int length, int offset) {
        if (length - offset < IPV4_MIN_HEADER) {
            return -1;
        }
        int first = buf.get(ValueLayout.JAVA_BYTE, offset);
        int headerLength = (first & 0x0f) * 4;
        if ((first & 0xf0) != 0x40 || headerLength < IPV4_MIN_HEADER || length - offset < headerLength) {
            return -1;
        }
        return headerLength;
    }
}
