/**
 * Linux socket calls for packet plugins (icmp, traceroute), through {@code java.lang.foreign}. A plugin using it
 * needs native access: {@code --enable-native-access=dev.vantage.probe.plugin.linux} (or {@code ALL-UNNAMED} on the
 * class path).
 */
module dev.vantage.probe.plugin.linux {
    exports dev.vantage.probe.plugin.linux;
}
