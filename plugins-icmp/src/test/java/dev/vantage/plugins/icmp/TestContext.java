package dev.vantage.plugins.icmp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A minimal ProbeContext until the engine's conformance kit exists: a deadline, the JDK resolver, no address
 * policy, no cancellation timer.
 */
final class TestContext implements ProbeContext {
    private final String target;
    private final Instant startedAt = Instant.now();
    private final long deadlineNanos;

    /** A config as the engine builds it: the descriptor's defaults, then {@code overrides} as name, value, ... */
    static ProbeConfig config(String target, Duration timeout, Object... overrides) {
        ProbeConfig.Builder b = ProbeConfig.builder().target(target).timeout(timeout);
        for (ParameterSpec p : new IcmpProbeProvider().describe().parameters()) {
            b.value(p.name(), p.defaultValue());
        }
        for (int i = 0; i < overrides.length; i += 2) {
            b.value((String) overrides[i], overrides[i + 1]);
        }
        return b.build();
    }

    TestContext(String target, Duration timeout) {
        this.target = target;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public String taskId() {
        return "";
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public Instant deadline() {
        return Instant.now().plus(remaining());
    }

    @Override
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    @Override
    public boolean isCancelled() {
        return remaining().isZero();
    }

    @Override
    public void onCancel(Runnable callback) {
        // no engine timer here: the probe's own deadline handling is what the tests exercise
    }

    @Override
    public List<InetAddress> resolve(String host) throws ProbeException {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw new ProbeException(ErrorKind.DNS, "cannot resolve " + host, e);
        }
    }

    @Override
    public void checkAddress(InetSocketAddress address) {
    }

    @Override
    public ProbeResult.Builder newResult() {
        return ProbeResult.builder().type("icmp").target(target).startedAt(Instant.now());
    }
}
