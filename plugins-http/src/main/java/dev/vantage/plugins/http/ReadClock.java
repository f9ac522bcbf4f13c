package dev.vantage.plugins.http;

import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * A channel's receive buffer sizing (the one it had), which also notes when each read began: when the event loop
 * took up the socket's readiness, before Netty allocated a buffer, called {@code read} and passed the bytes down
 * the pipeline. The first byte is timed from there, so {@code ttfb} does not include Netty's read path (some µs).
 */
final class ReadClock implements RecvByteBufAllocator {
    private final RecvByteBufAllocator sizing;
    private long readStartNanos;

    ReadClock(RecvByteBufAllocator sizing) {
        this.sizing = sizing;
    }

    /** When the latest read began, in {@link System#nanoTime()}. */
    long readStartNanos() {
        return readStartNanos;
    }

    @Override
    public Handle newHandle() {
        return new Stamping((ExtendedHandle) sizing.newHandle()); // the native transports require an ExtendedHandle
    }

    private final class Stamping extends DelegatingHandle implements ExtendedHandle {
        Stamping(ExtendedHandle delegate) {
            super(delegate);
        }

        @Override
        public void reset(ChannelConfig config) { // both transports call it first thing in a read
            readStartNanos = System.nanoTime();
            super.reset(config);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }
    }
}
