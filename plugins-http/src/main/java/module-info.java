/**
 * Vantage HTTP(S) probe plugin: HTTP/1.1 and HTTP/2 over cleartext and TLS, one new connection per attempt,
 * with measured phases. Found by the engine through {@link dev.vantage.probe.spi.ProbeProvider}.
 */
module dev.vantage.plugins.http {
    requires dev.vantage.probe.spi;
    requires dev.vantage.probe.plugin.support;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.codec.http2;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.resolver;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;

    provides dev.vantage.probe.spi.ProbeProvider with dev.vantage.plugins.http.HttpProbeProvider;
}
