/**
 * Small helpers for plugin authors, so that every plugin parses targets, hex payloads and reply expectations the
 * same way and words its messages alike: {@link dev.vantage.probe.plugin.support.HostPort} ({@code host:port}
 * targets), {@link dev.vantage.probe.plugin.support.Expectation} (does a reply match a regular expression or a byte
 * prefix), {@link dev.vantage.probe.plugin.support.Bytes} (hex parsing, received bytes shown in messages),
 * and {@link dev.vantage.probe.plugin.support.RoundTrips} (loss and round-trip statistics of packet-based probes,
 * under the standard measurement names), and {@link dev.vantage.probe.plugin.support.ConnectFailure} (a failed
 * connect classified as refused, unreachable, timed out or a local problem).
 *
 * <p>{@link dev.vantage.probe.plugin.support.TrustCheck} verifies TLS certificates, with verification on or off, and
 * words the verdict (expired, not trusted, host name mismatch, ...) alike in every plugin.
 *
 * <p>{@link dev.vantage.probe.plugin.support.LoopbackWarmUp} runs a provider's own probe once against a responder on
 * loopback, for {@link dev.vantage.probe.spi.ProbeProvider#warmUp()}.
 *
 * <p>The engine never calls these; plugins use them if they like. They are public API under the same
 * compatibility promise as {@link dev.vantage.probe.spi} (see {@code VERSIONING.md}): final classes with static
 * factories, so they can grow without breaking plugin binaries. All of them but {@code RoundTrips} (filled by one
 * attempt on one thread) are immutable or stateless and thread-safe; none blocks.
 *
 * @since 0.1
 */
package dev.vantage.probe.plugin.support;
