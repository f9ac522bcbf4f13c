package dev.vantage.plugins.udp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.Probe;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A minimal ProbeContext for plugin tests until the engine's conformance kit exists. */
final class TestContext implements ProbeContext {
    private final String type;
    private final String target;
    private final Instant startedAt = Instant.now();
    private final Instant deadline;
    private final long deadlineNanos;
    private final InetAddress denied;
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    TestContext(String type, String target, Duration timeout, InetAddress denied) {
        this.type = type;
        this.target = target;
        this.deadline = startedAt.plus(timeout);
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.denied = denied;
    }

    /** Builds a config the way the engine would: the given values over the descriptor's defaults. */
    static ProbeConfig config(ProbeProvider provider, String target, Duration timeout, Map<String, Object> values) {
        ProbeConfig.Builder b = ProbeConfig.builder().target(target).timeout(timeout);
        for (ParameterSpec p : provider.describe().parameters()) {
            b.value(p.name(), values.getOrDefault(p.name(), p.defaultValue()));
        }
        return b.build();
    }

    /** Creates a probe for the target and runs one attempt with a fresh context. */
    static ProbeResult run(ProbeProvider provider, String target, Duration timeout, Map<String, Object> values)
            throws Exception {
        try (Probe probe = provider.create(config(provider, target, timeout, values))) {
            return new TestContext(provider.type(), target, timeout, null).run(probe);
        }
    }

    ProbeResult run(Probe probe) throws Exception {
        return probe.run(this).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void cancel() {
        cancelled = true;
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
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    @Override
    public boolean isCancelled() {
        return cancelled || remaining().isZero();
    }

    @Override
    public void onCancel(Runnable callback) {
        onCancel.add(callback);
        if (cancelled) {
            callback.run();
        }
    }

    @Override
    public List<InetAddress> resolve(String host) throws ProbeException {
        // Tests never ask a real resolver: literals and localhost (from /etc/hosts) only.
        if (!host.equals("localhost") && !host.contains(":") && !host.matches("[0-9.]+")) {
            throw new ProbeException(ErrorKind.DNS, host + ": unknown host (tests resolve only localhost)");
        }
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw new ProbeException(ErrorKind.DNS, host + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkAddress(InetSocketAddress address) throws ProbeException {
        if (address.getAddress().equals(denied)) {
            throw new ProbeException(ErrorKind.POLICY, address + " is denied by the test policy");
        }
    }

    @Override
    public ProbeResult.Builder newResult() {
        return ProbeResult.builder().type(type).target(target).startedAt(startedAt);
    }
}
