/** The {@code tcp} probe: connect, optional TLS, optional send and expect. */
module dev.vantage.plugins.tcp {
    requires dev.vantage.probe.spi;
    requires dev.vantage.probe.plugin.support;
    provides dev.vantage.probe.spi.ProbeProvider with dev.vantage.plugins.tcp.TcpProbeProvider;
}
