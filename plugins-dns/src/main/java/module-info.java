/** The {@code dns} probe: one query to a resolver over UDP, TCP, DNS over TLS or DNS over HTTPS. */
module dev.vantage.plugins.dns {
    requires dev.vantage.probe.spi;
    requires dev.vantage.probe.plugin.support;
    requires org.dnsjava;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.transport;
    provides dev.vantage.probe.spi.ProbeProvider with dev.vantage.plugins.dns.DnsProbeProvider;
}
