package dev.vantage.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.TestEngines;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe through a real engine against loopback sockets; the basics are in {@link TcpConformanceIT}. */
class TcpProbeIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final ProbeEngine engine = TestEngines.engine(new TcpProbeProvider());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void theWarmUpConnectsToItsOwnListenerOnLoopback() throws Exception {
        TcpProbeProvider provider = new TcpProbeProvider();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            provider.warmUp(listener); // throws unless its attempt succeeded
            // the kernel queued the warm-up's connection on the listener: it is there to accept, from loopback
            listener.setSoTimeout(1_000);
            try (Socket connection = listener.accept()) {
                assertThat(connection.getInetAddress().isLoopbackAddress()).isTrue();
            }
        } finally {
            provider.close();
        }
    }

    @Test
    void connectsAndTimesTheConnectOfAnIpLiteralWithoutDns() throws Exception {
        try (ServerSocket listener = listen()) { // the kernel completes the handshake; nobody needs to accept
            ProbeResult r = run("127.0.0.1:" + listener.getLocalPort(), Map.of());
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.phases()).containsOnlyKeys("connect"); // a literal asks no resolver
            assertThat(r.attributes()).containsEntry("remoteAddress", "127.0.0.1");
            assertThat(r.duration()).isGreaterThanOrEqualTo(r.phases().get("connect"));
        }
    }

    @Test
    void timesDnsForAHostName() throws Exception {
        try (ServerSocket listener = listen()) {
            ProbeResult r = run("localhost:" + listener.getLocalPort(), Map.of("ipVersion", "4"));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.phases()).containsOnlyKeys("dns", "connect");
        }
    }

    @Test
    void picksTheAddressFamily() throws Exception {
        try (ServerSocket listener = listen()) {
            String target = "localhost:" + listener.getLocalPort();
            assertThat(run(target, Map.of("ipVersion", "4")).attributes()).containsEntry("remoteAddress", "127.0.0.1");
            ProbeResult r = run(target, Map.of("ipVersion", "6"));
            assertThat(r.error().kind()).isEqualTo(ErrorKind.DNS);
            assertThat(r.error().message()).contains("no IPv6 address");
        }
    }

    @Test
    void connectsOverIpv6() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("::1"))) {
            ProbeResult r = run("[::1]:" + listener.getLocalPort(), Map.of("ipVersion", "6"));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.attributes().get("remoteAddress")).isEqualTo("0:0:0:0:0:0:0:1");
        }
    }

    @Test
    void matchesABanner() throws Exception {
        try (Server server = new Server(c -> c.getOutputStream().write("SSH-2.0-test\r\n".getBytes()))) {
            ProbeResult r = run(server.target(), Map.of("expect", "^SSH-2\\.0-"));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.phases()).containsOnlyKeys("connect", "banner");
        }
    }

    @Test
    void sendsAndExpectsText() throws Exception {
        try (Server server = new Server(TcpProbeIT::echoLine)) {
            ProbeResult r = run(server.target(), Map.of("send", "PING 1\n", "expect", "PING \\d"));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.phases()).containsOnlyKeys("connect", "exchange");
        }
    }

    @Test
    void sendsAndExpectsHex() throws Exception {
        try (Server server = new Server(TcpProbeIT::echoLine)) {
            ProbeResult r = run(server.target(), Map.of("sendHex", "01 02 ff 0a", "expectHex", "0102"));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
        }
    }

    @Test
    void saysWhatCameWhenThePrefixDiffers() throws Exception {
        try (Server server = new Server(TcpProbeIT::echoLine)) {
            ProbeResult r = run(server.target(), Map.of("sendHex", "00ff0a", "expectHex", "0001"));
            assertThat(r.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
            // the prefix is decided after two bytes, so the newline may or may not have been read by then
            assertThat(r.error().message()).startsWith("expectHex 0001 did not match; received '\\x00\\xff");
        }
    }

    @Test
    void saysWhatCameWhenThePeerClosesFirst() throws Exception {
        try (Server server = new Server(c -> c.getOutputStream().write("220 mail ready\r\n".getBytes()))) {
            ProbeResult r = run(server.target(), Map.of("expect", "^SSH"));
            assertThat(r.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
            assertThat(r.error().message())
                    .isEqualTo("connection closed before expect /^SSH/ matched; received '220 mail ready\\r\\n'");
        }
    }

    @Test
    void stopsReadingAtReadBytes() throws Exception {
        try (Server server = new Server(c -> c.getOutputStream().write("x".repeat(100).getBytes()))) {
            ProbeResult r = run(server.target(), Map.of("expect", "y", "readBytes", 10L));
            assertThat(r.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
            assertThat(r.error().message()).endsWith("received 'xxxxxxxxxx'");
        }
    }

    @Test
    void measuresTheExchangeWithinAMillisecond() throws Exception {
        Duration delay = Duration.ofMillis(50);
        try (Server server = new Server(c -> {
            InputStream in = c.getInputStream();
            if (in.read() >= 0) {
                pause(delay.toNanos());
                c.getOutputStream().write("pong\n".getBytes());
            }
        })) {
            // Every run must include the whole delay; the best of a few shows our overhead without the noise of
            // a shared two-core machine (JIT, GC, scheduling hiccups reach milliseconds).
            Duration best = Duration.ofDays(1);
            for (int i = 0; i < 20; i++) {
                ProbeResult r = run(server.target(), Map.of("send", "p", "expect", "pong"));
                assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
                assertThat(r.phases().get("exchange")).isGreaterThanOrEqualTo(delay);
                best = r.phases().get("exchange").compareTo(best) < 0 ? r.phases().get("exchange") : best;
            }
            assertThat(best).isLessThan(delay.plusMillis(1));
        }
    }

    @Test
    void sendWithoutExpectTimesTheRoundTripToTheFirstReplyBytes() throws Exception {
        Duration delay = Duration.ofMillis(200);
        try (Server server = new Server(c -> {
            if (c.getInputStream().read() >= 0) {
                pause(delay.toNanos());
                c.getOutputStream().write("+PONG\r\n".getBytes());
            }
        })) {
            ProbeResult r = run(server.target(), Map.of("send", "PING\r\n"));
            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            // it used to end when the payload was handed to the socket, microseconds in
            assertThat(r.phases().get("exchange")).as(r.toString()).isGreaterThanOrEqualTo(delay)
                    .isLessThan(delay.plusSeconds(1));
        }
    }

    @Test
    void sendWithoutExpectToASilentOrClosingPeerFails() throws Exception {
        try (Server silent = new Server(c -> c.getInputStream().readAllBytes());
             Server closing = new Server(c -> c.getInputStream().read())) {
            ProbeResult quiet = TestEngines.runOnce(engine, TaskSpec.builder(TcpProbeProvider.TYPE, silent.target())
                    .timeout(Duration.ofMillis(500)).param("send", "x").build());
            assertThat(quiet.error()).as(quiet.toString()).isNotNull();
            assertThat(quiet.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
            assertThat(quiet.error().message()).isEqualTo("no reply before the deadline; received nothing");
            assertThat(quiet.duration()).isLessThan(Duration.ofMillis(500));

            ProbeResult closed = run(closing.target(), Map.of("send", "x"));
            assertThat(closed.error()).as(closed.toString()).isNotNull();
            assertThat(closed.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
            assertThat(closed.error().message()).isEqualTo("connection closed before a reply; received nothing");
        }
    }

    @Test
    void policyStopsTheConnect() throws Exception {
        try (Server server = new Server(c -> c.getOutputStream().write(1));
             ProbeEngine strict = TestEngines.engine(new TcpProbeProvider(),
                     AddressPolicy.builder().deny("127.0.0.0/8").build())) {
            ProbeResult r = TestEngines.runOnce(strict, task(server.target(), Map.of()));
            assertThat(r.status()).isEqualTo(ProbeStatus.ERROR);
            assertThat(r.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(r.phases()).isEmpty(); // an IP literal: no dns, and no connect was tried
            assertThat(server.accepted).isZero();
        }
    }

    private ProbeResult run(String target, Map<String, Object> params) {
        return TestEngines.runOnce(engine, task(target, params));
    }

    private static TaskSpec task(String target, Map<String, Object> params) {
        return TaskSpec.builder(TcpProbeProvider.TYPE, target).timeout(TIMEOUT).params(params).build();
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static void echoLine(Socket c) throws IOException {
        InputStream in = c.getInputStream();
        for (int b; (b = in.read()) >= 0; ) {
            c.getOutputStream().write(b);
            if (b == '\n') {
                return;
            }
        }
    }

    /** Waits precisely: parks for most of the time, then spins the last millisecond. */
    static void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            if (left > 1_000_000) {
                LockSupport.parkNanos(left - 1_000_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    interface Handler {
        void handle(Socket connection) throws IOException;
    }

    /** A loopback server that runs a handler per connection on virtual threads until closed. */
    static final class Server implements AutoCloseable {
        private final ServerSocket socket = listen();
        volatile int accepted;

        Server(Handler handler) throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        accepted++;
                        Thread.ofVirtual().start(() -> {
                            try (c) {
                                c.setSoTimeout(5_000);
                                handler.handle(c);
                            } catch (IOException e) {
                                // the probe may hang up first
                            }
                        });
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
        public void close() throws IOException {
            socket.close();
        }
    }
}
