package dev.vantage.plugins.udp;

import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.ProbeConformanceSuite;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The conformance suite every plugin passes, against loopback datagram sockets. */
class UdpConformanceIT extends ProbeConformanceSuite {
    private UdpProbeIT.Responder echo;
    private DatagramSocket silent; // bound, so no port unreachable comes back, and never read
    private int closedPort;

    @BeforeEach
    void startSockets() throws IOException {
        echo = new UdpProbeIT.Responder(Duration.ZERO, 0, UnaryOperator.identity());
        silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterEach
    void stopSockets() {
        echo.close();
        silent.close();
    }

    @Override
    protected ProbeProvider provider() {
        return new UdpProbeProvider();
    }

    @Override
    protected Map<String, Object> params() {
        // a short interval: the suite's 400 ms timeout must hold (count - 1) × interval
        return Map.of("payload", "ping", "interval", Duration.ofMillis(10));
    }

    @Override
    protected String reachableTarget() {
        return echo.target();
    }

    @Override
    protected String targetFor(String host) {
        return host + ":53";
    }

    @Override
    protected String closedTarget() {
        return "127.0.0.1:" + closedPort;
    }

    @Override
    protected String silentTarget() {
        return "127.0.0.1:" + silent.getLocalPort();
    }

    @Override
    protected String malformedTarget() {
        return "no-port";
    }
}
