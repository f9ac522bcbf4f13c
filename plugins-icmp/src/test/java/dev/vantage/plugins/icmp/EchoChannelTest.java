package dev.vantage.plugins.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The shared socket against the loopback interface: real packets, whichever mode this process may use. */
class EchoChannelTest {
    private static final long MS = 1_000_000;

    /** A channel, or the test is skipped (with the reason) when this process may open no ICMP socket at all. */
    static EchoChannel openOrSkip(boolean v6) {
        if (v6) {
            Assumptions.assumeTrue(hasIpv6Loopback(), "no ::1 on the loopback interface");
        }
        try {
            return EchoChannel.open(v6, 64);
        } catch (ProbeException e) {
            Assumptions.abort("this process may not open ICMP sockets: " + e.getMessage());
            throw new AssertionError(e);
        }
    }

    static boolean hasIpv6Loopback() {
        try {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            return lo != null && lo.inetAddresses().anyMatch(a -> a.isLoopbackAddress() && a.getAddress().length == 16);
        } catch (SocketException e) {
            return false;
        }
    }

    private static EchoBatch batch(String address, int count, long intervalNanos, int payload, long timeoutNanos) {
        return new EchoBatch(InetAddress.ofLiteral(address), count, intervalNanos, payload,
                System.nanoTime() + timeoutNanos);
    }

    @Test
    void pingsIpv4Loopback() throws Exception {
        assertRepliesFrom(false, "127.0.0.1");
    }

    @Test
    void pingsIpv6Loopback() throws Exception {
        assertRepliesFrom(true, "::1");
    }

    private static void assertRepliesFrom(boolean v6, String target) throws Exception {
        try (EchoChannel channel = openOrSkip(v6)) {
            EchoBatch b = batch(target, 5, 2 * MS, 56, 2_000 * MS);
            long start = System.nanoTime();
            channel.submit(b);
            b.get(3, TimeUnit.SECONDS);

            assertThat(System.nanoTime() - start).as("ends once all are answered").isLessThan(1_000 * MS);
            assertThat(b.sent).isEqualTo(5);
            assertThat(b.jvmTimestamps).as("SO_TIMESTAMPNS receive times").isFalse();
            assertThat(b.kernelSendTimes).as("SO_TIMESTAMPING send times").isEqualTo(5);
            assertThat(java.util.Arrays.stream(b.rttNanos)).allSatisfy(rtt -> assertThat(rtt).isPositive().isLessThan(50 * MS));
            for (int i = 1; i < 5; i++) {
                assertThat(b.txNanoTime[i] - b.txNanoTime[i - 1]).as("spacing").isBetween(MS, 20 * MS);
            }
        }
    }

    @Test
    void matchesThousandsOfConcurrentRequestsOnOneSocket() throws Exception {
        try (EchoChannel channel = openOrSkip(false)) {
            List<EchoBatch> batches = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                // every 127.x address answers on loopback; spreading them exercises address matching
                EchoBatch b = batch("127.0." + (i / 250) + "." + (1 + i % 250), 2, MS, 16, 5_000 * MS);
                channel.submit(b);
                batches.add(b);
            }
            for (EchoBatch b : batches) {
                b.get(10, TimeUnit.SECONDS);
                assertThat(b.rttNanos).doesNotContain(EchoBatch.NO_REPLY);
            }
        }
    }

    @Test
    void carriesLargePayloads() throws Exception {
        try (EchoChannel channel = openOrSkip(false)) {
            EchoBatch b = batch("127.0.0.1", 1, MS, 65_507, 2_000 * MS);
            channel.submit(b);

            assertThat(b.get(3, TimeUnit.SECONDS).rttNanos[0]).isNotEqualTo(EchoBatch.NO_REPLY);
        }
    }

    @Test
    void stopsSendingWhenARepliesCouldNoLongerMakeTheDeadline() throws Exception {
        try (EchoChannel channel = openOrSkip(false)) {
            EchoBatch b = batch("127.0.0.1", 10, 50 * MS, 8, 120 * MS);
            channel.submit(b);
            b.get(3, TimeUnit.SECONDS);

            assertThat(b.sent).isEqualTo(3); // at 0, 50 and 100 ms; 150 ms is past the deadline
            assertThat(b.roundTrips().received()).isEqualTo(3);
        }
    }

    @Test
    void anAbandonedBatchEndsAtOnce() throws Exception {
        try (EchoChannel channel = openOrSkip(false)) {
            EchoBatch b = batch("127.0.0.1", 100, 20 * MS, 8, 5_000 * MS);
            channel.submit(b);
            Thread.sleep(50);
            b.abandon();

            b.get(1, TimeUnit.SECONDS);
            assertThat(b.sent).isBetween(1, 10);
        }
    }

    @Test
    void closeStopsTheThreadPromptlyFailsWhatIsPendingAndRefusesMore() throws Exception {
        EchoChannel channel = openOrSkip(false);
        EchoBatch pending = batch("127.0.0.1", 100, 50 * MS, 8, 10_000 * MS);
        channel.submit(pending);
        long start = System.nanoTime();
        channel.close();

        assertThat(System.nanoTime() - start).isLessThan(500 * MS);
        assertThat(channel.isRunning()).isFalse();
        // failed by the closing thread, or by a send it was making meanwhile
        assertThat(pending.handle((b, e) -> e instanceof ProbeException pe ? pe.kind() : b.failure.kind()).join())
                .isEqualTo(ErrorKind.CANCELLED);
        assertThatThrownBy(() -> channel.submit(batch("127.0.0.1", 1, MS, 8, MS)))
                .isInstanceOfSatisfying(ProbeException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CANCELLED));
    }
}
