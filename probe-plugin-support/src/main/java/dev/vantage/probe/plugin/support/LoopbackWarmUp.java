package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * For {@link ProbeProvider#warmUp()}: runs one real attempt of the provider's own probe against a responder the
 * provider started on loopback, so that threads exist and the classes of the whole attempt path are loaded before
 * a user's first attempt is timed. The attempt gets a context that resolves and contacts loopback only, whatever
 * the target says, and is bounded by {@link #LIMIT}.
 *
 * @since 0.1
 */
public final class LoopbackWarmUp {
    /** How long the warm-up attempt may take. */
    public static final Duration LIMIT = Duration.ofSeconds(10);

    private LoopbackWarmUp() {
    }

    /**
     * Creates the provider's probe for {@code target} with every parameter at its default (as the engine fills
     * them in) plus {@code params} (name, value, name, value, ...), runs it once and returns its result.
     *
     * @throws IllegalStateException if the attempt did not succeed (with its error), so the engine logs why
     */
    public static ProbeResult run(ProbeProvider provider, String target, Object... params) throws Exception {
        ProbeConfig.Builder config = ProbeConfig.builder().taskId("warm-up").target(target).timeout(LIMIT);
        for (ParameterSpec p : provider.describe().parameters()) {
            if (p.defaultValue() != null) {
                config.value(p.name(), p.defaultValue());
            }
        }
        for (int i = 0; i + 1 < params.length; i += 2) {
            config.value((String) params[i], params[i + 1]);
        }
        Instant started = Instant.now();
        ProbeContext ctx = new LoopbackOnly(provider.type(), target, started, started.plus(LIMIT));
        ProbeResult r = provider.create(config.build()).run(ctx).toCompletableFuture()
                .get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        if (r.status() != ProbeStatus.SUCCESS) {
            throw new IllegalStateException("the warm-up attempt ended " + r.status() + ": " + r.error());
        }
        return r;
    }

    /**
     * Runs a client {@code engine}'s first handshake step without a peer: writes its ClientHello (key shares
     * included) into a buffer and closes it, which loads and initialises the TLS classes a first handshake needs.
     */
    public static void clientHello(SSLEngine engine) throws SSLException {
        engine.setUseClientMode(true);
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(engine.getSession().getPacketBufferSize()));
        engine.closeOutbound();
    }

    private record LoopbackOnly(String type, String target, Instant startedAt, Instant deadline)
            implements ProbeContext {
        @Override
        public String taskId() {
            return "warm-up";
        }

        @Override
        public Duration remaining() {
            Duration left = Duration.between(Instant.now(), deadline);
            return left.isNegative() ? Duration.ZERO : left;
        }

        @Override
        public boolean isCancelled() {
            return remaining().isZero();
        }

        @Override
        public void onCancel(Runnable callback) {
            // never cancelled: bounded by run's own wait
        }

        @Override
        public List<InetAddress> resolve(String host) throws ProbeException {
            return List.of(InetAddress.getLoopbackAddress()); // whatever the name: loopback only
        }

        @Override
        public void checkAddress(InetSocketAddress address) throws ProbeException {
            if (!address.getAddress().isLoopbackAddress()) {
                throw new ProbeException(ErrorKind.POLICY, "a warm-up contacts loopback only, not " + address);
            }
        }

        @Override
        public ProbeResult.Builder newResult() {
            return ProbeResult.builder().type(type).target(target).startedAt(startedAt);
        }
    }
}
