package dev.vantage.plugins.tcp;

import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.ProbeConformanceSuite;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The conformance suite every plugin passes, against loopback listeners. */
class TcpConformanceIT extends ProbeConformanceSuite {
    // The kernel completes the handshake for a listener's backlog: nobody needs to accept(), and nobody answers.
    private ServerSocket listener;
    private int closedPort;

    @BeforeEach
    void startListener() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterEach
    void stopListener() throws IOException {
        listener.close();
    }

    @Override
    protected ProbeProvider provider() {
        return new TcpProbeProvider();
    }

    @Override
    protected String reachableTarget() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    @Override
    protected String targetFor(String host) {
        return host + ":80";
    }

    @Override
    protected String closedTarget() {
        return "127.0.0.1:" + closedPort;
    }

    @Override
    protected String silentTarget() {
        return reachableTarget();
    }

    @Override
    protected String malformedTarget() {
        return "no-port";
    }

    @Override
    protected Map<String, Object> silentParams() {
        return Map.of("expect", "hello"); // connected, then waits for a reply that never comes
    }
}
