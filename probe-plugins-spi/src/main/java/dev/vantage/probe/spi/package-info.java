/**
 * Vantage probe plugin SPI: the small, stable contract between the probe engine and protocol plugins.
 *
 * <h2>Roles</h2>
 * <ul>
 *   <li>{@link dev.vantage.probe.spi.ProbeProvider}: found by {@link java.util.ServiceLoader}, keyed by a
 *       lower-case type id, describes its parameters and creates {@link dev.vantage.probe.spi.Probe}s from a
 *       validated {@link dev.vantage.probe.spi.ProbeConfig}.</li>
 *   <li>{@link dev.vantage.probe.spi.Probe}: runs one attempt against one target within a deadline and
 *       returns a {@link dev.vantage.probe.spi.ProbeResult}.</li>
 *   <li>{@link dev.vantage.probe.spi.ProbeContext}: what the engine hands to each attempt: the deadline,
 *       cancellation, name resolution and the embedder's address policy.</li>
 *   <li>{@link dev.vantage.probe.spi.ResultSink}: receives batches of results.</li>
 * </ul>
 *
 * <h2>Who owns time</h2>
 * The engine owns schedules, deadlines and retries. A probe never sleeps until its next run and never retries
 * on its own; it runs one attempt and reports what happened.
 *
 * <h2>Compatibility</h2>
 * Types that plugins construct ({@link dev.vantage.probe.spi.ProbeResult},
 * {@link dev.vantage.probe.spi.ProbeDescriptor}, {@link dev.vantage.probe.spi.ParameterSpec}, ...) are final
 * classes with builders so that they can gain fields without breaking plugin binaries; interface methods added
 * later always come with a default. See {@code VERSIONING.md}.
 *
 * @since 0.1
 */
package dev.vantage.probe.spi;
