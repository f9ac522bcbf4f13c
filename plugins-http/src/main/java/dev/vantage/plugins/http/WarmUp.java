package dev.vantage.plugins.http;

import dev.vantage.probe.plugin.support.LoopbackWarmUp;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * {@link HttpProbeProvider#warmUp()}: one real cleartext exchange with a responder of its own on loopback, so that
 * the event loops exist and the classes of the whole path (channel, pipeline, codec, result) are loaded before a
 * user's first attempt. Cold, that path costs a few hundred milliseconds, which the first result would otherwise
 * report as its {@code dns} phase. The default TLS context is built and writes one ClientHello, without a peer.
 */
final class WarmUp {
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .getBytes(StandardCharsets.US_ASCII);

    private WarmUp() {
    }

    static void run(HttpProbeProvider provider) throws Exception {
        // Netty starts an event loop's thread on its first task: start every one, not only the loop the exchange
        // below happens to use, or the first attempt on another loop pays for it (ms, reported as "dns")
        provider.group().forEach(loop -> loop.submit(() -> { }).syncUninterruptibly());
        // TLS without a peer: build the default context and write a ClientHello (key shares included) into a buffer
        LoopbackWarmUp.clientHello(provider.systemTls().context(true, HttpSettings.HttpVersion.AUTO)
                .newEngine(ByteBufAllocator.DEFAULT, "localhost", 443));
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket responder = new ServerSocket(0, 1, loopback)) {
            Thread server = Thread.ofVirtual().name("vantage-http-warm-up").start(() -> answerOnce(responder));
            LoopbackWarmUp.run(provider, "http://" + loopback.getHostAddress() + ":" + responder.getLocalPort() + "/");
            server.join(LoopbackWarmUp.LIMIT);
        }
    }

    private static void answerOnce(ServerSocket responder) {
        try (Socket s = responder.accept()) {
            InputStream in = s.getInputStream();
            // read up to the blank line that ends the request head (a GET has no body), then answer and close
            int last4 = 0;
            for (int b; last4 != 0x0d0a0d0a && (b = in.read()) >= 0; ) {
                last4 = (last4 << 8) | b;
            }
            s.getOutputStream().write(RESPONSE);
        } catch (IOException e) {
            // the exchange reports what went wrong; nothing to add here
        }
    }
}
