/**
 * Traceroute / MTR-style path probes for Vantage. Sends through {@code dev.vantage.probe.plugin.linux}, which calls
 * libc through {@code java.lang.foreign}: run with {@code --enable-native-access=dev.vantage.probe.plugin.linux} (or
 * {@code ALL-UNNAMED} on the class path).
 */
module dev.vantage.plugins.traceroute {
    requires dev.vantage.probe.spi;
    requires dev.vantage.probe.plugin.support;
    requires dev.vantage.probe.plugin.linux;

    provides dev.vantage.probe.spi.ProbeProvider with dev.vantage.plugins.traceroute.TracerouteProbeProvider;
}
