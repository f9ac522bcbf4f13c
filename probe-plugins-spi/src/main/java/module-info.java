/**
 * The Vantage probe plugin SPI. A plugin jar depends on this module (and, if it likes, on the helpers of
 * {@code dev.vantage.probe.plugin.support}) and declares {@code provides dev.vantage.probe.spi.ProbeProvider with ...}
 * (or lists its provider in {@code META-INF/services/dev.vantage.probe.spi.ProbeProvider} for class-path users).
 */
module dev.vantage.probe.spi {
    exports dev.vantage.probe.spi;
}
