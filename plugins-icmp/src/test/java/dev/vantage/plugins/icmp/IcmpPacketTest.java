package dev.vantage.plugins.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.plugin.linux.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IcmpPacketTest {
    private static final byte[] LOCAL = {10, 0, 0, 1};
    private static final byte[] TARGET = {10, 0, 0, 2};
    private static final byte[] ROUTER = {10, 0, 0, (byte) 254};

    private final IcmpPacket.Message message = new IcmpPacket.Message();

    @Test
    void echoRequestV4CarriesIdsPayloadAndAValidChecksum() {
        MemorySegment buf = MemorySegment.ofArray(new byte[100]);
        int length = IcmpPacket.writeEchoRequest(buf, false, 0xbeef, 0x1234, 57, true);

        assertThat(length).isEqualTo(65);
        ByteBuffer b = ByteBuffer.wrap(buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0, length);
        assertThat(b.get(0)).isEqualTo((byte) 8);
        assertThat(b.get(1)).isZero();
        assertThat(b.getShort(4) & 0xffff).isEqualTo(0xbeef);
        assertThat(b.getShort(6) & 0xffff).isEqualTo(0x1234);
        assertThat(InternetChecksum.of(buf, 0, length)).as("checksum over a correct packet").isZero();
    }

    @Test
    void echoRequestV6LeavesTheChecksumToTheKernel() {
        MemorySegment buf = MemorySegment.ofArray(new byte[16]);
        int length = IcmpPacket.writeEchoRequest(buf, true, 1, 2, 0, false);

        assertThat(length).isEqualTo(8);
        assertThat(buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                .startsWith((byte) 128, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 1, (byte) 0, (byte) 2);
    }

    @Test
    void decodesARawV4EchoReplyAfterItsIpHeader() {
        byte[] packet = ipv4(5, TARGET, LOCAL, echo(0, 0x4242, 7, 56));

        IcmpPacket.decode(MemorySegment.ofArray(packet), packet.length, false, true, message);

        assertThat(message.kind).isEqualTo(IcmpPacket.REPLY);
        assertThat(message.id).isEqualTo(0x4242);
        assertThat(message.seq).isEqualTo(7);
    }

    @Test
    void skipsIpOptionsUsingTheHeaderLength() {
        byte[] packet = ipv4(6, TARGET, LOCAL, echo(0, 1, 65535, 0));

        IcmpPacket.decode(MemorySegment.ofArray(packet), packet.length, false, true, message);

        assertThat(message.kind).isEqualTo(IcmpPacket.REPLY);
        assertThat(message.seq).isEqualTo(65535);
    }

    @Test
    void ignoresOwnRequestsAndCorruptReplies() {
        byte[] request = ipv4(5, LOCAL, LOCAL, echo(8, 1, 1, 8));
        IcmpPacket.decode(MemorySegment.ofArray(request), request.length, false, true, message);
        assertThat(message.kind).isEqualTo(IcmpPacket.NONE);

        byte[] corrupt = ipv4(5, TARGET, LOCAL, echo(0, 1, 1, 8));
        corrupt[corrupt.length - 1] ^= 0x01;
        IcmpPacket.decode(MemorySegment.ofArray(corrupt), corrupt.length, false, true, message);
        assertThat(message.kind).isEqualTo(IcmpPacket.NONE);

        byte[] truncated = {0x45, 0, 0};
        IcmpPacket.decode(MemorySegment.ofArray(truncated), truncated.length, false, true, message);
        assertThat(message.kind).isEqualTo(IcmpPacket.NONE);
    }

    @Test
    void matchesAV4ErrorToTheEmbeddedRequest() {
        byte[] original = ipv4(5, LOCAL, TARGET, echo(8, 0x1111, 42, 56));
        byte[] quoted = java.util.Arrays.copyOf(original, 20 + 8); // routers quote the IP header and 8 bytes
        byte[] packet = ipv4(5, ROUTER, LOCAL, icmp(3, 1, new byte[4], quoted));

        IcmpPacket.decode(MemorySegment.ofArray(packet), packet.length, false, true, message);

        assertThat(message.kind).isEqualTo(IcmpPacket.ERROR);
        assertThat(message.type).isEqualTo(3);
        assertThat(message.code).isEqualTo(1);
        assertThat(message.id).isEqualTo(0x1111);
        assertThat(message.seq).isEqualTo(42);
        assertThat(java.util.Arrays.copyOfRange(packet, message.originalDestination, message.originalDestination + 4))
                .isEqualTo(TARGET);
    }

    @Test
    void ignoresV4ErrorsAboutOtherProtocols() {
        byte[] udp = ipv4(5, LOCAL, TARGET, new byte[8]);
        udp[9] = 17;
        byte[] packet = ipv4(5, ROUTER, LOCAL, icmp(3, 3, new byte[4], udp));

        IcmpPacket.decode(MemorySegment.ofArray(packet), packet.length, false, true, message);

        assertThat(message.kind).isEqualTo(IcmpPacket.NONE);
    }

    @Test
    void decodesV6RepliesAndErrorsWithoutAnIpHeader() {
        byte[] reply = echo(129, 9, 10, 56);
        IcmpPacket.decode(MemorySegment.ofArray(reply), reply.length, true, false, message);
        assertThat(message.kind).isEqualTo(IcmpPacket.REPLY);
        assertThat(message.seq).isEqualTo(10);

        byte[] destination = new byte[16];
        destination[0] = (byte) 0xfd;
        destination[15] = 2;
        ByteBuffer inner = ByteBuffer.allocate(40 + 8);
        inner.put(0, (byte) 0x60).put(6, (byte) 58).put(24, destination).put(40, echo(128, 9, 11, 0));
        byte[] error = icmp(3, 0, new byte[4], inner.array());
        IcmpPacket.decode(MemorySegment.ofArray(error), error.length, true, false, message);

        assertThat(message.kind).isEqualTo(IcmpPacket.ERROR);
        assertThat(message.seq).isEqualTo(11);
        assertThat(java.util.Arrays.copyOfRange(error, message.originalDestination, message.originalDestination + 16))
                .isEqualTo(destination);
    }

    @Test
    void decodesAnErrorQueuedByAPingSocket() {
        byte[] original = echo(8, 300, 301, 56);

        IcmpPacket.decodeQueuedError(MemorySegment.ofArray(original), original.length, false, 11, 0, message);

        assertThat(message.kind).isEqualTo(IcmpPacket.ERROR);
        assertThat(message.type).isEqualTo(11);
        assertThat(message.id).isEqualTo(300);
        assertThat(message.seq).isEqualTo(301);
        assertThat(message.originalDestination).isEqualTo(-1);
    }

    /** An ICMP echo message with a correct checksum. */
    private static byte[] echo(int type, int id, int seq, int payload) {
        return icmp(type, 0, ByteBuffer.allocate(4).putShort((short) id).putShort((short) seq).array(),
                new byte[payload]);
    }

    private static byte[] icmp(int type, int code, byte[] rest, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(8 + body.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).put(rest).put(body);
        byte[] bytes = b.array();
        int sum = InternetChecksum.of(MemorySegment.ofArray(bytes), 0, bytes.length);
        b.putShort(2, (short) sum);
        return bytes;
    }

    private static byte[] ipv4(int headerWords, byte[] source, byte[] destination, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(headerWords * 4 + payload.length);
        b.put((byte) (0x40 | headerWords)).put((byte) 0).putShort((short) b.capacity()).putInt(0)
                .put((byte) 64).put((byte) 1).putShort((short) 0).put(source).put(destination);
        b.position(headerWords * 4);
        b.put(payload);
        return b.array();
    }
}
