package dev.vantage.plugins.udp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.TestEngines;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe through a real engine against loopback datagram sockets; the basics are in {@link UdpConformanceIT}. */
class UdpProbeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private final ProbeEngine engine = TestEngines.engine(new UdpProbeProvider());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void echoWithoutLossEndsAsSoonAsAllAreAnswered() throws Exception {
        try (Responder echo = new Responder(Duration.ZERO, 0, UnaryOperator.identity())) {
            ProbeResult r = run(echo.target(), Map.of("payload", "ping", "expect", "^ping$",
                    "interval", Duration.ofMillis(10)));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.measurements()).containsEntry("sent", 3.0).containsEntry("received", 3.0)
                    .containsEntry("lossPercent", 0.0)
                    .containsKeys("rttMinMs", "rttAvgMs", "rttMaxMs", "rttMdevMs", "jitterMs");
            assertThat(r.samples().get("rttMs")).hasSize(3).doesNotContainNull();
            assertThat(r.attributes()).containsEntry("remoteAddress", "127.0.0.1");
            assertThat(r.duration()).isLessThan(Duration.ofMillis(500));
        }
    }

    @Test
    void countsLossAndRoundTripsOfADelayingDroppingResponder() throws Exception {
        Duration delay = Duration.ofMillis(5);
        try (Responder echo = new Responder(delay, 3, UnaryOperator.identity())) { // drops the 3rd and 6th
            ProbeResult r = run(echo.target(), Map.of("payloadHex", "00 01", "expectHex", "0001", "count", 6L,
                    "interval", Duration.ofMillis(150)));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.measurements()).containsEntry("sent", 6.0).containsEntry("received", 4.0);
            assertThat(r.measurements().get("lossPercent")).isEqualTo(100.0 * 2 / 6);
            assertThat(r.samples().get("rttMs")).hasSize(6).containsNull();
            assertThat(r.samples().get("rttMs").get(2)).isNull();
            assertThat(r.samples().get("rttMs").get(5)).isNull();
            double delayMs = delay.toNanos() / 1e6;
            // each round trip holds the whole delay; the interval (150 ms) leaves room for the scheduling noise of a
            // loaded two-core machine without a reply being credited to the next datagram (identical datagrams are
            // matched in order: at 50 ms, a reply held up by a load average of 10 was credited to the next one)
            assertThat(r.measurements().get("rttMinMs")).isBetween(delayMs, delayMs + 40);
            assertThat(r.measurements().get("rttMaxMs")).isBetween(delayMs, delayMs + 40);
            // the last datagram is lost, so the probe listens until just before the deadline
            assertThat(r.duration()).isBetween(Duration.ofMillis(850), TIMEOUT);
        }
    }

    @Test
    void closedPortIsRefused() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProbeResult r = run("127.0.0.1:" + port, Map.of("payload", "hi", "interval", Duration.ofMillis(10)));
        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.FAILURE);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.REFUSED);
        assertThat(r.error().message()).endsWith("port unreachable");
        assertThat(r.measurements()).containsEntry("received", 0.0).containsEntry("lossPercent", 100.0);
        assertThat(r.duration()).isLessThan(Duration.ofMillis(500)); // every datagram refused: no need to wait
    }

    @Test
    void aClosedPortRefusesBackToBackDatagramsWithoutWaitingForTheDeadline() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // no pause between sends: the first datagram's ICMP error is still pending when the second is written,
        // so that write fails and sends nothing (Linux); the probe must neither count it as sent nor wait for it
        ProbeResult r = engine.runOnce(TaskSpec.builder(UdpProbeProvider.TYPE, "127.0.0.1:" + port)
                .timeout(Duration.ofSeconds(10)).params(Map.of("payload", "hi", "count", 5L, "interval", Duration.ZERO))
                .build()).toCompletableFuture().join();
        assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.FAILURE);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.REFUSED);
        assertThat(r.measurements()).containsEntry("sent", 5.0).containsEntry("received", 0.0);
        assertThat(r.duration()).as(r.toString()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void silenceTimesOut() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            ProbeResult r = run("127.0.0.1:" + silent.getLocalPort(), Map.of("payload", "hi",
                    "interval", Duration.ofMillis(10)));
            assertThat(r.status()).isEqualTo(ProbeStatus.TIMEOUT);
            assertThat(r.error().message()).endsWith("no reply to 3 datagram(s)");
            assertThat(r.measurements()).containsEntry("sent", 3.0).containsEntry("lossPercent", 100.0);
            assertThat(r.samples().get("rttMs")).containsExactly(null, null, null);
        }
    }

    @Test
    void mismatchingReplyIsAProtocolError() throws Exception {
        try (Responder wrong = new Responder(Duration.ZERO, 0, request -> "nope\r\n".getBytes())) {
            ProbeResult r = run(wrong.target(), Map.of("payload", "ping", "expect", "pong",
                    "interval", Duration.ofMillis(10)));
            assertThat(r.error().kind()).as(r.toString()).isEqualTo(ErrorKind.PROTOCOL);
            assertThat(r.error().message()).isEqualTo("expect /pong/ did not match; received 'nope\\r\\n'");
            assertThat(r.measurements()).containsEntry("received", 3.0);
        }
    }

    @Test
    void theWarmUpExchangesOneDatagramWithItsOwnResponder() throws Exception {
        UdpProbeProvider provider = new UdpProbeProvider();
        // throws unless its datagram was answered; the count is the responder's own
        assertThat(provider.warmUpExchanges()).as("datagrams its responder echoed").isEqualTo(1);
        provider.close();
    }

    @Test
    void worksOverIpv6() throws Exception {
        try (Responder echo = new Responder(InetAddress.getByName("::1"), Duration.ZERO, 0, UnaryOperator.identity())) {
            ProbeResult r = run("[::1]:" + echo.socket.getLocalPort(), Map.of("payload", "hi", "count", 1L));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.attributes()).containsEntry("remoteAddress", "0:0:0:0:0:0:0:1");
        }
    }

    @Test
    void policyStopsTheSend() throws Exception {
        try (Responder echo = new Responder(Duration.ZERO, 0, UnaryOperator.identity());
             ProbeEngine strict = TestEngines.engine(new UdpProbeProvider(),
                     AddressPolicy.builder().deny("127.0.0.0/8").build())) {
            ProbeResult r = TestEngines.runOnce(strict, task(echo.target(), Map.of("payload", "x")));
            assertThat(r.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(echo.seen).isZero();
        }
    }

    private ProbeResult run(String target, Map<String, Object> params) {
        return TestEngines.runOnce(engine, task(target, params));
    }

    private static TaskSpec task(String target, Map<String, Object> params) {
        return TaskSpec.builder(UdpProbeProvider.TYPE, target).timeout(TIMEOUT).params(params).build();
    }

    /** Answers each datagram after a delay, skipping every n-th one (n = dropEvery, 0 for none). */
    static final class Responder implements AutoCloseable {
        final DatagramSocket socket;
        volatile int seen;

        Responder(Duration delay, int dropEvery, UnaryOperator<byte[]> answer) throws IOException {
            this(InetAddress.getLoopbackAddress(), delay, dropEvery, answer);
        }

        Responder(InetAddress address, Duration delay, int dropEvery, UnaryOperator<byte[]> answer)
                throws IOException {
            socket = new DatagramSocket(0, address);
            Thread.ofVirtual().start(() -> {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                while (!socket.isClosed()) {
                    try {
                        p.setLength(2048);
                        socket.receive(p);
                        int n = ++seen;
                        if (dropEvery > 0 && n % dropEvery == 0) {
                            continue;
                        }
                        pause(delay.toNanos());
                        byte[] reply = answer.apply(Arrays.copyOf(p.getData(), p.getLength()));
                        socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        String target() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Waits precisely: parks for most of the time, then spins the last millisecond. */
    private static void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            if (left > 1_000_000) {
                LockSupport.parkNanos(left - 1_000_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
