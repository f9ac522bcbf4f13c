package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.IcmpTypes;
import dev.vantage.probe.plugin.linux.InternetChecksum;
import dev.vantage.probe.plugin.linux.InNetns;
import dev.vantage.probe.plugin.linux.LibC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.testkit.Netns;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The receiving thread expires a batch only after reading what the kernel queued by its deadline: a reply that came
 * in time counts even when the receiver could not read it until after the deadline. Inside a namespace of its own
 * whose kernel does not answer echo requests, so the test writes the reply itself, from a raw socket.
 */
class EchoChannelExpiryIT {
    private static final long MS = 1_000_000;
    private static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @Test
    void aReplyQueuedBeforeTheDeadlineCountsThoughTheReceiverWasBusy() throws Exception {
        Netns.assumeAvailable();
        try (Netns ns = Netns.create("vti-x"); Arena arena = Arena.ofShared()) {
            ns.sysctl("net.ipv4.icmp_echo_ignore_all", "1");
            MemorySegment errno = LibC.errnoSlot(arena);
            int raw = InNetns.call(ns.name(), () -> LibC.socket(errno, LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC,
                    LibC.IPPROTO_ICMP));
            assertThat(raw).as("raw socket").isNotNegative();
            try (EchoChannel channel = InNetns.call(ns.name(), () -> EchoChannel.open(false, 64))) {
                EchoBatch b = new EchoBatch(InetAddress.ofLiteral("127.0.0.1"), 1, MS, 8, System.nanoTime() + 300 * MS);
                channel.submit(b);
                int seq = awaitSent(channel, b);

                long repliedAt;
                channel.lock.lock(); // the receiver stops at the first message it matches
                try {
                    // matches no request: the receiver reads it, then waits for the lock
                    reply(raw, channel.identifier(), seq ^ 1, arena);
                    reply(raw, channel.identifier(), seq, arena); // so this one stays queued, unread
                    repliedAt = System.nanoTime();
                    Thread.sleep(Math.max(0, (b.deadline - System.nanoTime()) / MS) + 100);
                } finally {
                    channel.lock.unlock();
                }
                b.get(2, TimeUnit.SECONDS);

                assertThat(b.roundTrips().received()).as("the reply queued in time").isEqualTo(1);
                // the kernel's receive time, not when the receiver got to it 100+ ms later
                assertThat(b.txNanoTime[0] + b.rttNanos[0]).isLessThan(repliedAt + 50 * MS);
                assertThat(b.jvmTimestamps).isFalse();
            } finally {
                LibC.close(raw);
            }
        }
    }

    private static int awaitSent(EchoChannel channel, EchoBatch b) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            channel.lock.lock();
            try {
                if (b.sent == 1) {
                    return b.seqs[0];
                }
            } finally {
                channel.lock.unlock();
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the request was not sent");
    }

    /** Sends an echo reply with this identifier and sequence number to 127.0.0.1 (so from 127.0.0.1). */
    private static void reply(int raw, int id, int seq, Arena arena) {
        MemorySegment packet = arena.allocate(64, 8);
        int length = IcmpPacket.writeEchoRequest(packet, false, id, seq, 8, false);
        packet.set(ValueLayout.JAVA_BYTE, 0, (byte) IcmpTypes.ECHO_REPLY_V4);
        packet.set(BE_SHORT, 2, (short) InternetChecksum.of(packet, 0, length));
        MemorySegment to = arena.allocate(LibC.SOCKADDR_SIZE, 8);
        int toLength = new EchoBatch(InetAddress.ofLiteral("127.0.0.1"), 1, 0, 0, 0).writeSockaddr(to);
        MemorySegment errno = LibC.errnoSlot(arena);
        assertThat(LibC.sendto(errno, raw, packet, length, 0, to, toLength)).as("sendto").isEqualTo(length);
    }
}
