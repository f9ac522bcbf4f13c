package dev.vantage.plugins.icmp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pings one target: sends {@code count} echo requests {@code interval} apart over the provider's shared socket and
 * reports loss and round-trip times. Runs on the engine's virtual thread and blocks it; no thread of its own.
 */
final class IcmpProbe implements Probe {
    // The engine completes an attempt as TIMEOUT at its deadline and drops a later result, so replies must arrive
    // a little earlier (a tenth of the time left, at most this much), and the attempt ends half of that earlier.
    private static final long MAX_DEADLINE_MARGIN = Duration.ofMillis(100).toNanos();

    private final IcmpProbeProvider provider;
    private final String host;
    private final int count;
    private final long intervalNanos;
    private final int payloadSize;
    private final int ttl;
    private final String ipVersion;

    IcmpProbe(IcmpProbeProvider provider, String host, int count, Duration interval, int payloadSize, int ttl,
              String ipVersion) {
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
        InetAddress address = pick(context.resolve(host));
        long resolved = System.nanoTime();
        context.checkAddress(new InetSocketAddress(address, 0));
        EchoChannel channel = provider.channel(address instanceof Inet6Address, ttl);
        long deadline = System.nanoTime() + context.remaining().toNanos();
        long margin = Math.min((deadline - resolved) / 10, MAX_DEADLINE_MARGIN);
        Deadlines deadlines = new Deadlines(deadline - margin, deadline - margin / 2);

        PendingEcho[] requests = new PendingEcho[count];
        context.onCancel(() -> forgetAll(channel, requests));
        Outcome outcome = new Outcome(count);
        try {
            sendAll(channel, address, requests, deadlines.replies, context, outcome);
            awaitReplies(channel, requests, deadlines, outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.failure = new ProbeException(ErrorKind.CANCELLED, "the attempt was cancelled");
        } finally {
            forgetAll(channel, requests);
        }
        ProbeResult.Builder result = context.newResult()
                .phaseNanos("dns", resolved - start)
                .attribute("icmpMode", channel.mode().label())
                .attribute("remoteAddress", address.getHostAddress());
        outcome.report(result);
        return CompletableFuture.completedFuture(result.durationNanos(System.nanoTime() - start).build());
    }

    private InetAddress pick(List<InetAddress> addresses) throws ProbeException {
        for (InetAddress a : addresses) {
            if (ipVersion.equals("any") || (ipVersion.equals("4") ? a instanceof Inet4Address
                    : a instanceof Inet6Address)) {
                return a;
            }
        }
        throw new ProbeException(ErrorKind.DNS, host + " has no IPv" + ipVersion + " address");
    }

    /** Sends on a fixed schedule (no drift) and stops early if a send fails or no time is left for a reply. */
    private void sendAll(EchoChannel channel, InetAddress address, PendingEcho[] requests, long replyDeadline,
                         ProbeContext context, Outcome outcome) throws InterruptedException {
        long first = System.nanoTime();
        for (int i = 0; i < count && !context.isCancelled(); i++) {
            long sendAt = first + i * intervalNanos;
            if (i > 0 && sendAt >= replyDeadline) {
                return;
            }
            long wait = sendAt - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }
            try {
                requests[i] = channel.send(address, payloadSize);
                outcome.sent++;
            } catch (ProbeException e) {
                outcome.failure = e;
                return;
            }
        }
    }

    private static void awaitReplies(EchoChannel channel, PendingEcho[] requests, Deadlines deadlines,
                                     Outcome outcome) throws InterruptedException {
        boolean caughtUp = false;
        for (PendingEcho request : requests) {
            if (request == null) {
                return;
            }
            EchoReply reply = null;
            try {
                reply = request.get(Math.max(0, deadlines.replies - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (!caughtUp) {
                    channel.awaitCaughtUp(deadlines.replies, deadlines.finish);
                    caughtUp = true;
                }
                reply = request.state() == Future.State.SUCCESS ? request.resultNow() : null;
            } catch (CancellationException | ExecutionException e) {
                // lost; an ExecutionException means the provider closed the socket
            }
            outcome.add(request, reply);
        }
    }

    private static void forgetAll(EchoChannel channel, PendingEcho[] requests) {
        for (PendingEcho request : requests) {
            if (request != null && !request.isDone()) {
                channel.forget(request);
            }
        }
    }

    /**
     * @param replies replies that reach the host later count as lost
     * @param finish  the attempt returns by then at the latest, before the engine's deadline
     */
    private record Deadlines(long replies, long finish) {
    }

    /** What came back, per packet in send order. */
    private static final class Outcome {
        final List<Double> samples;
        final long[] rtts;
        int sent;
        int received;
        boolean allKernelTimestamps = true;
        String icmpError;
        ProbeException failure;

        Outcome(int count) {
            samples = new ArrayList<>(count);
            rtts = new long[count];
        }

        void add(PendingEcho request, EchoReply reply) {
            if (reply == null || reply.error() != null) {
                samples.add(null);
                if (reply != null && icmpError == null) {
                    icmpError = reply.error();
                }
                return;
            }
            long rtt = request.kernelRttNanos(reply);
            if (rtt < 0) {
                allKernelTimestamps = false;
                rtt = request.jvmRttNanos(reply);
            }
            rtts[received++] = rtt;
            samples.add(rtt / 1e6);
        }

        void report(ProbeResult.Builder result) {
            result.measurement("sent", sent)
                    .measurement("received", received)
                    .measurement("lossPercent", sent == 0 ? 100 : 100.0 * (sent - received) / sent)
                    .samples("rttMs", samples);
            if (received > 0) {
                RttStats s = RttStats.of(rtts, received);
                result.measurement("rttMinMs", s.minMs())
                        .measurement("rttAvgMs", s.avgMs())
                        .measurement("rttMaxMs", s.maxMs())
                        .measurement("rttMdevMs", s.mdevMs())
                        .measurement("jitterMs", s.jitterMs())
                        .attribute("timestampSource", allKernelTimestamps ? "kernel" : "jvm");
            }
            if (failure != null && (received == 0 || failure.kind() == ErrorKind.CANCELLED)) {
                result.error(failure.toError());
            } else if (received > 0) {
                result.clearError();
            } else if (icmpError != null) {
                result.error(ErrorKind.UNREACHABLE, icmpError);
            } else {
                result.error(ErrorKind.TIMEOUT, "0/" + sent + " replies");
            }
        }
    }
}
