/**
 * ICMP echo probes for Vantage. Calls libc through {@code java.lang.foreign}: run with
 * {@code --enable-native-access=dev.vantage.plugins.icmp,dev.vantage.probe.plugin.linux} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.vantage.plugins.icmp {
    requires dev.vantage.probe.spi;
    requires dev.vantage.probe.plugin.support;
    requires dev.vantage.probe.plugin.linux;

    provides dev.vantage.probe.spi.ProbeProvider with dev.vantage.plugins.icmp.IcmpProbeProvider;
}
