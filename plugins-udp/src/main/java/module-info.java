/** The {@code udp} probe: a few datagrams to a responder, with loss and round-trip times. */
module dev.vantage.plugins.udp {
    requires dev.vantage.probe.spi;
    requires dev.vantage.probe.plugin.support;
    provides dev.vantage.probe.spi.ProbeProvider with dev.vantage.plugins.udp.UdpProbeProvider;
}
