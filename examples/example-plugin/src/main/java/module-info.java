/**
 * An example third-party probe plugin. It exports nothing: the engine reaches it through {@code provides} on the
 * module path, or through {@code META-INF/services} on the class path.
 */
module com.example.vantage.plugin {
    requires dev.vantage.probe.spi;
    requires dev.vantage.probe.plugin.support;
    provides dev.vantage.probe.spi.ProbeProvider with com.example.vantage.plugin.EchoProbeProvider;
}
