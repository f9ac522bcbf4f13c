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

    @Test
    void pingsIpv4Loopback() throws Exception {
        assertRepliesFrom(false, InetAddress.ofLiteral("127.0.0.1"));
    }

    @Test
    void pingsIpv6Loopback() throws Exception {
        assertRepliesFrom(true, InetAddress.ofLiteral("::1"));
    }

    private static void assertRepliesFrom(boolean v6, InetAddress target) throws Exception {
        try (EchoChannel channel = openOrSkip(v6)) {
            for (int i = 0; i < 5; i++) {
                PendingEcho request = channel.send(target, 56);
                EchoReply reply = request.get(2, TimeUnit.SECONDS);

                assertThat(reply.error()).isNull();
                assertThat(reply.kernelTimestamp()).as("SO_TIMESTAMPNS receive time").isTrue();
                long rtt = request.kernelRttNanos(reply);
                assertThat(rtt).isPositive().isLessThanOrEqualTo(request.jvmRttNanos(reply))
                        .isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    @Test
    void matchesThousandsOfConcurrentRequestsOnOneSocket() throws Exception {
        try (EchoChannel channel = openOrSkip(false)) {
            List<PendingEcho> requests = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                // every 127.x address answers on loopback; spreading them exercises address matching
                requests.add(channel.send(InetAddress.ofLiteral("127.0." + (i / 250) + "." + (1 + i % 250)), 16));
            }
            for (PendingEcho request : requests) {
                assertThat(request.get(5, TimeUnit.SECONDS).error()).isNull();
            }
            assertThat(requests).extracting(r -> r.seq).doesNotHaveDuplicates();
        }
    }

    @Test
    void carriesLargePayloads() throws Exception {
        try (EchoChannel channel = openOrSkip(false)) {
            PendingEcho request = channel.send(InetAddress.ofLiteral("127.0.0.1"), 65_507);

            assertThat(request.get(2, TimeUnit.SECONDS).error()).isNull();
        }
    }

    @Test
    void closeStopsTheReceiverPromptlyAndRefusesSends() throws Exception {
        EchoChannel channel = openOrSkip(false);
        long start = System.nanoTime();
        channel.close();

        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(channel.isReceiving()).isFalse();
        assertThatThrownBy(() -> channel.send(InetAddress.ofLiteral("127.0.0.1"), 8))
                .isInstanceOfSatisfying(ProbeException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CANCELLED));
    }
}
