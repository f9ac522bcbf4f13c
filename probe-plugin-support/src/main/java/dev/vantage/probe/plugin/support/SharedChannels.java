package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The sockets (channels) a provider shares among all of its probes, one per key (address family, mode, TTL...),
 * opened on first use and closed with the provider. Thread-safe; a lookup of an open channel takes no lock.
 *
 * @param <K> what tells the channels apart
 * @param <C> the channel
 * @since 0.1
 */
public final class SharedChannels<K, C> {
    /**
     * Opens a channel; fails with the error the probe reports (e.g. CONFIG when the right to open it is missing).
     *
     * @since 0.1
     */
    @FunctionalInterface
    public interface Opener<C> {
        /** @since 0.1 */
        C open() throws ProbeException;
    }

    private final String closedMessage;
    private final Consumer<? super C> closer;
    private final Map<K, C> channels = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    /**
     * @param closedMessage the CANCELLED error's message once {@link #close()} has run, e.g. "the ICMP provider is
     *                      closed"
     * @param closer        closes one channel (without throwing)
     * @since 0.1
     */
    public SharedChannels(String closedMessage, Consumer<? super C> closer) {
        this.closedMessage = closedMessage;
        this.closer = closer;
    }

    /**
     * The channel for {@code key}, opened by {@code opener} on first use (once, even when called concurrently).
     *
     * @throws ProbeException CANCELLED after {@link #close()}, or what {@code opener} throws
     * @since 0.1
     */
    public C get(K key, Opener<? extends C> opener) throws ProbeException {
        C channel = channels.get(key);
        if (channel != null) {
            return channel;
        }
        synchronized (this) {
            if (closed) {
                throw new ProbeException(ErrorKind.CANCELLED, closedMessage);
            }
            channel = channels.get(key);
            if (channel == null) {
                channel = opener.open();
                channels.put(key, channel);
            }
            return channel;
        }
    }

    /**
     * Closes every channel; later {@link #get} calls fail with CANCELLED.
     *
     * @since 0.1
     */
    public synchronized void close() {
        closed = true;
        channels.values().forEach(closer);
        channels.clear();
    }
}
