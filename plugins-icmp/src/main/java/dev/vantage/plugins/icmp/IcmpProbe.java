package dev.vantage.plugins.icmp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.RoundTrips;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Pings one target: hands {@code count} echo requests, {@code interval} apart, to the provider's shared channel and
 * reports loss and round-trip times. Asynchronous: the attempt's thread only resolves and submits; the channel's
 * thread completes the result, so no thread waits per attempt.
 */
final class IcmpProbe implements Probe {
    private final IcmpProbeProvider provider;
    private final String host;
    private final int count;
    private final long intervalNanos;
    private final int payloadSize;
    private final int ttl;
    private final IpVersion ipVersion;

    IcmpProbe(IcmpProbeProvider provider, String host, int count, Duration interval, int payloadSize, int ttl,
              IpVersion ipVersion) {
        this.provider = provider;
        this.host = host;
        this.count = count;
        this.intervalNanos = interval.toNanos();
        this.payloadSize = payloadSize;
        this.ttl = ttl;
        this.ipVersion = ipVersion;
    }

    @Override
    public CompletionStage<ProbeResult> run(ProbeContext context) throws ProbeException {
        long start = System.nanoTime();
        InetAddress address = ipVersion.choose(host, context.resolve(host));
        long resolved = System.nanoTime();
        context.checkAddress(new InetSocketAddress(address, 0));
        EchoChannel channel = provider.channel(address instanceof Inet6Address, ttl);
        // Replies count until the context's deadline: it lies before the engine's cut-off, so the result is ours.
        EchoBatch batch = new EchoBatch(address, count, intervalNanos, payloadSize,
                resolved + context.remaining().toNanos());
        context.onCancel(batch::abandon);
        channel.submit(batch);
        return batch.handle((b, error) -> {
            ProbeResult.Builder result = context.newResult()
                    .phaseNanos("dns", resolved - start)
                    .attribute("icmpMode", channel.mode().label())
                    .attribute("remoteAddress", address.getHostAddress());
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                result.error(cause instanceof ProbeException pe ? pe.toError()
                        : ProbeError.of(ErrorKind.INTERNAL, "ICMP channel failed: " + cause));
            } else {
                report(b, result);
            }
            return result.durationNanos(System.nanoTime() - start).build();
        });
    }


    /**
     * Where the round-trip times come from: "kernel" (send and receive times both taken by the kernel), "kernel-rx"
     * (receive times from the kernel, some send times from the clock read just before sendto), or "jvm".
     */
    private static String timestampSource(EchoBatch b, int received) {
        if (b.jvmTimestamps) {
            return "jvm";
        }
        return b.kernelSendTimes == received ? "kernel" : "kernel-rx";
    }

    private static void report(EchoBatch b, ProbeResult.Builder result) {
        RoundTrips trips = b.roundTrips();
        trips.record(result);
        if (trips.received() > 0) {
            result.attribute("timestampSource", timestampSource(b, trips.received()));
        } else if (b.failure != null) {
            result.error(b.failure.toError());
        } else if (b.icmpError != null) {
            result.error(ErrorKind.UNREACHABLE, b.icmpError);
        } else {
            result.error(ErrorKind.TIMEOUT, "0/" + trips.sent() + " replies");
        }
    }
}
