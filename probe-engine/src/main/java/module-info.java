/**
 * The embeddable Vantage probe engine. Discovers {@link dev.vantage.probe.spi.ProbeProvider}s with
 * {@link java.util.ServiceLoader}, schedules tasks, enforces deadlines and concurrency limits, evaluates
 * assertions and delivers results to sinks.
 */
module dev.vantage.probe.engine {
    requires transitive dev.vantage.probe.spi;
    requires micrometer.core;
    requires org.slf4j;

    exports dev.vantage.probe.engine;
    exports dev.vantage.probe.engine.sink;

    uses dev.vantage.probe.spi.ProbeProvider;
}
