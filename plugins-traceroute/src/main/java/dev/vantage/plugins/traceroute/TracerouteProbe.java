package dev.vantage.plugins.traceroute;

import dev.vantage.probe.plugin.linux.ErrnoException;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.JsonText;
import dev.vantage.probe.plugin.support.RoundTrips;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Traces one target: resolves it, checks it against the address policy, hands a {@link Trace} to the shared
 * channel and turns the hops into a result. Asynchronous: the attempt's thread only resolves and sends the first
 * probes; answers and timeouts drive the rest.
 */
final class TracerouteProbe implements Probe {
    private final TracerouteProbeProvider provider;
    private final String host;
    private final Mode mode;
    private final int port;
    private final int probesPerHop;
    private final int maxHops;
    private final long probeTimeoutNanos;
    private final boolean reverseNames;
    private final IpVersion ipVersion;

    TracerouteProbe(TracerouteProbeProvider provider, String host, Mode mode, int port, int probesPerHop, int maxHops,
                    Duration probeTimeout, boolean reverseNames, IpVersion ipVersion) {
        this.provider = provider;
        this.host = host;
        this.mode = mode;
        this.port = port;
        this.probesPerHop = probesPerHop;
        this.maxHops = maxHops;
        this.probeTimeoutNanos = probeTimeout.toNanos();
        this.reverseNames = reverseNames;
        this.ipVersion = ipVersion;
    }

    @Override
    public CompletionStage<ProbeResult> run(ProbeContext context) throws ProbeException {
        long start = System.nanoTime();
        InetAddress address = ipVersion.choose(host, context.resolve(host));
        long resolved = System.nanoTime();
        // every probe goes to this address (intermediate routers only answer), so one check covers the trace
        context.checkAddress(new InetSocketAddress(address, mode == Mode.ICMP ? 0 : port));
        TraceChannel channel = provider.channel(mode, address instanceof Inet6Address);
        InetAddress source = null;
        if (mode == Mode.TCP) {
            try {
                source = channel.sourceAddressFor(address);
            } catch (ErrnoException e) {
                throw new ProbeException(ErrorKind.UNREACHABLE, "no route to " + address.getHostAddress() + ": "
                        + e.getMessage());
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int flow = mode == Mode.TCP ? random.nextInt(33_000, 61_000) : random.nextInt(1, 0xffff);
        Trace trace = new Trace(channel, address, source, flow, port, random.nextInt() << 16, probesPerHop, maxHops,
                probeTimeoutNanos, provider.timer());
        context.onCancel(() -> trace.cancel("the attempt was cancelled"));
        trace.start(context.remaining().toNanos());
        return trace.done.thenCompose(t -> names(t, context)).thenApply(names -> {
            ProbeResult.Builder result = context.newResult()
                    .phaseNanos("dns", resolved - start)
                    .attribute("remoteAddress", Packets.text(address))
                    .attribute("traceMode", channel.label());
            report(trace, names, result);
            return result.durationNanos(System.nanoTime() - start).build();
        });
    }

    /** Reverse names of the hops' addresses if asked for, as far as they come before the deadline. */
    private CompletionStage<Map<InetAddress, String>> names(Trace trace, ProbeContext context) {
        Map<InetAddress, String> names = new java.util.concurrent.ConcurrentHashMap<>();
        if (!reverseNames) {
            return CompletableFuture.completedFuture(names);
        }
        List<CompletableFuture<Void>> lookups = trace.hops().stream()
                .flatMap(h -> h.address == null ? java.util.stream.Stream.empty() : java.util.stream.Stream.of(h.address))
                .distinct()
                .map(a -> CompletableFuture.runAsync(() -> {
                    String name = a.getCanonicalHostName();
                    if (!name.equals(a.getHostAddress()) && !name.equals(Packets.text(a))) {
                        names.put(a, name);
                    }
                }, provider.lookups()))
                .toList();
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, context.remaining().toNanos(), TimeUnit.NANOSECONDS)
                .handle((v, e) -> new HashMap<>(names));
    }

    private void report(Trace trace, Map<InetAddress, String> names, ProbeResult.Builder result) {
        List<Trace.Hop> hops = trace.hops();
        result.measurement("hops", hops.size())
                .attribute("reached", String.valueOf(trace.reached()))
                .attribute("hops", json(hops, names));
        Trace.Hop destination = trace.destinationHop();
        Trace.Hop unreachable = trace.unreachableHop();
        Trace.Hop lastAnswered = null;
        for (Trace.Hop h : hops) {
            lastAnswered = h.address != null ? h : lastAnswered;
        }
        if (trace.failure != null) {
            result.error(trace.failure);
        } else if (destination != null) {
            roundTrips(destination).record(result);
        } else if (unreachable != null) {
            result.error(ErrorKind.UNREACHABLE, unreachable.error + " at hop " + unreachable.ttl);
        } else if (lastAnswered == null) {
            result.error(ErrorKind.TIMEOUT, "no hop answered (" + mode.label() + " probes to "
                    + Packets.text(trace.destination) + ")");
        } else {
            String last = "; the last answer came from " + Packets.text(lastAnswered.address) + " at hop "
                    + lastAnswered.ttl;
            if (trace.cutShort) {
                result.error(ErrorKind.TIMEOUT, "the destination was not reached before the deadline" + last);
            } else {
                result.error(ErrorKind.UNREACHABLE, "the destination was not reached within " + maxHops + " hops"
                        + last);
            }
        }
    }

    private static RoundTrips roundTrips(Trace.Hop hop) {
        RoundTrips trips = RoundTrips.create(hop.sent);
        for (int i = 0; i < hop.sent; i++) {
            if (hop.rttNanos[i] >= 0) {
                trips.received(hop.rttNanos[i]);
            } else {
                trips.lost();
            }
        }
        return trips;
    }

    /** The {@code hops} attribute (docs/plugins.md, "Traceroute hops"). */
    static String json(List<Trace.Hop> hops, Map<InetAddress, String> names) {
        StringBuilder out = new StringBuilder("[");
        for (Trace.Hop h : hops) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append("{\"ttl\":").append(h.ttl).append(",\"address\":");
            JsonText.quote(h.address == null ? "*" : Packets.text(h.address), out);
            String name = h.address == null ? null : names.get(h.address);
            if (name != null) {
                out.append(",\"name\":");
                JsonText.quote(name, out);
            }
            if (!h.others.isEmpty()) {
                out.append(",\"alsoFrom\":[");
                boolean first = true;
                for (InetAddress a : h.others) {
                    out.append(first ? "" : ",");
                    JsonText.quote(Packets.text(a), out);
                    first = false;
                }
                out.append(']');
            }
            if (h.destination) {
                out.append(",\"destination\":true");
            }
            out.append(',');
            roundTrips(h).appendJson(out);
            if (!h.mpls.isEmpty()) {
                out.append(",\"mpls\":[");
                for (int i = 0; i < h.mpls.size(); i++) {
                    int[] e = h.mpls.get(i);
                    out.append(i == 0 ? "" : ",").append("{\"label\":").append(e[0]).append(",\"tc\":").append(e[1])
                            .append(",\"s\":").append(e[2]).append(",\"ttl\":").append(e[3]).append('}');
                }
                out.append(']');
            }
            if (h.error != null) {
                out.append(",\"error\":");
                JsonText.quote(h.error, out);
            }
            out.append('}');
        }
        return out.append(']').toString();
    }
}
