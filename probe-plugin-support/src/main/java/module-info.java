/**
 * Optional helpers for probe plugin authors, so that every plugin parses targets and payloads, words its
 * messages and names its measurements alike. It depends on the SPI only, and the engine never calls it: a plugin
 * that does not want it depends on {@code dev.vantage.probe.spi} alone.
 */
module dev.vantage.probe.plugin.support {
    requires transitive dev.vantage.probe.spi;

    exports dev.vantage.probe.plugin.support;
}
