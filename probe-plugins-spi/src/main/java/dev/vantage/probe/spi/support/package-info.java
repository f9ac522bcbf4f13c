/**
 * Small helpers for plugin authors, so that every plugin parses targets, hex payloads and reply expectations the
 * same way and words its messages alike: {@link dev.vantage.probe.spi.support.HostPort} ({@code host:port}
 * targets), {@link dev.vantage.probe.spi.support.Expectation} (does a reply match a regular expression or a byte
 * prefix) and {@link dev.vantage.probe.spi.support.Bytes} (hex parsing, received bytes shown in messages).
 *
 * <p>The engine never calls these; plugins use them if they like. They are public API under the same
 * compatibility promise as {@link dev.vantage.probe.spi} (see {@code VERSIONING.md}): final classes with static
 * factories, so they can grow without breaking plugin binaries. All of them are immutable or stateless and
 * thread-safe; none blocks.
 *
 * @since 0.1
 */
package dev.vantage.probe.spi.support;
