package dev.vantage.plugins.http;

import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.ProbeConformanceSuite;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance suite every plugin passes, against loopback servers. */
class HttpConformanceIT extends ProbeConformanceSuite {
    private static EventLoopGroup serverGroup;
    private static TestServer server;
    private static SilentServer silent;
    private static int closedPort;

    @BeforeAll
    static void startServers() throws Exception {
        serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = TestServer.http1(serverGroup);
        silent = new SilentServer();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterAll
    static void stopServers() throws IOException {
        silent.close();
        server.close();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    protected ProbeProvider provider() {
        return new HttpProbeProvider();
    }

    @Override
    protected String reachableTarget() {
        return server.url("/ok");
    }

    @Override
    protected String targetFor(String host) {
        return "http://" + host + "/";
    }

    @Override
    protected String closedTarget() {
        return "http://127.0.0.1:" + closedPort + "/";
    }

    @Override
    protected String silentTarget() {
        return silent.url(); // accepts the connection and the request, never sends a status line
    }

    @Override
    protected String malformedTarget() {
        return "ftp://x/";
    }
}
