package dev.vantage.plugins.http;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal {@link ProbeContext} until the engine's conformance kit exists. It resolves only literals and
 * {@code localhost}, so tests never send a DNS query, and its address policy allows loopback only.
 */
final class TestContext implements ProbeContext {
    private final String target;
    private final Instant startedAt = Instant.now();
    private final Instant deadline;
    private final Set<InetAddress> denied;
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();

    TestContext(String target, Duration timeout, InetAddress... denied) {
        this.target = target;
        this.deadline = startedAt.plus(timeout);
        this.denied = Set.of(denied);
    }

    /** A config as the engine would build it: the descriptor's defaults, then {@code values}. */
    static ProbeConfig config(ProbeProvider provider, String target, Duration timeout, Map<String, ?> values) {
        ProbeConfig.Builder b = ProbeConfig.builder().target(target).timeout(timeout);
        for (ParameterSpec p : provider.describe().parameters()) {
            if (p.defaultValue() != null) {
                b.value(p.name(), p.defaultValue());
            }
        }
        values.forEach(b::value);
        return b.build();
    }

    void cancel() {
        onCancel.forEach(Runnable::run);
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
        return deadline;
    }

    @Override
    public Duration remaining() {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    @Override
    public boolean isCancelled() {
        return !Instant.now().isBefore(deadline);
    }

    @Override
    public void onCancel(Runnable callback) {
        onCancel.add(callback);
    }

    @Override
    public List<InetAddress> resolve(String host) throws ProbeException {
        try {
            if (host.equalsIgnoreCase("localhost")) {
                return List.of(InetAddress.getByName("127.0.0.1"));
            }
            if (host.matches("[0-9.]+") || host.contains(":")) {
                return List.of(InetAddress.getByName(host)); // a literal: parsed, never looked up
            }
        } catch (UnknownHostException e) {
            throw new ProbeException(ErrorKind.DNS, "cannot parse " + host);
        }
        throw new ProbeException(ErrorKind.DNS, host + " does not resolve (tests resolve literals only)");
    }

    @Override
    public void checkAddress(InetSocketAddress address) throws ProbeException {
        if (!address.getAddress().isLoopbackAddress() || denied.contains(address.getAddress())) {
            throw new ProbeException(ErrorKind.POLICY, address + " is denied by the test policy");
        }
    }

    @Override
    public ProbeResult.Builder newResult() {
        return ProbeResult.builder().type("http").target(target).startedAt(startedAt);
    }
}
