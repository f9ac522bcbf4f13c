package dev.vantage.plugins.udp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.plugin.support.Bytes;
import dev.vantage.probe.plugin.support.Expectation;
import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.RoundTrips;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One configured UDP probe. Blocking I/O on the caller's (virtual) thread; attempts share no mutable state. */
final class UdpProbe implements Probe {
    private final HostPort target;
    private final IpVersion family;
    private final byte[] payload;
    private final Expectation expect;
    private final int count;
    private final long intervalNanos;

    UdpProbe(HostPort target, IpVersion family, byte[] payload, Expectation expect, int count,
             long intervalNanos) {
        this.target = target;
        this.family = family;
        this.payload = payload;
        this.expect = expect;
        this.count = count;
        this.intervalNanos = intervalNanos;
    }

    @Override
    public CompletionStage<ProbeResult> run(ProbeContext ctx) {
        ProbeResult.Builder result = ctx.newResult();
        long start = System.nanoTime();
        try {
            InetAddress address = family.choose(target.host(), ctx.resolve(target.host()));
            result.phaseNanos("dns", System.nanoTime() - start);
            InetSocketAddress remote = new InetSocketAddress(address, target.port());
            ctx.checkAddress(remote);
            result.attribute("remoteAddress", address.getHostAddress());

            ProtocolFamily pf = address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            Round round = new Round(count);
            ProbeException failure = null;
            try (DatagramChannel channel = DatagramChannel.open(pf)) {
                ctx.onCancel(() -> close(channel));
                channel.connect(remote); // connected: the kernel filters other senders and reports ICMP errors
                exchange(ctx, channel, round);
            } catch (IOException e) {
                failure = ctx.isCancelled() ? cancelled(ctx) : new ProbeException(ErrorKind.UNREACHABLE,
                        remote.getAddress().getHostAddress() + " port " + remote.getPort() + ": " + e.getMessage(), e);
            }
            round.report(result); // the datagrams sent and answered before a socket error still count
            if (failure != null) {
                throw failure;
            }
            verdict(round, remote);
        } catch (ProbeException e) {
            result.error(e.toError());
        }
        return CompletableFuture.completedFuture(result.durationNanos(System.nanoTime() - start).build());
    }

    /** Sends on schedule and, between sends, listens for replies, until all are answered or time is up. */
    private void exchange(ProbeContext ctx, DatagramChannel channel, Round round) throws IOException {
        DatagramSocket socket = channel.socket(); // unlike the channel, its receive takes a timeout
        byte[] buffer = new byte[65_535];
        DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
        long begin = System.nanoTime();
        // the context's deadline lies before the engine's cut-off, so stopping there keeps our counts
        long end = begin + ctx.remaining().toNanos();
        while (true) {
            long now = System.nanoTime();
            long due = begin + round.sent * intervalNanos;
            if (now >= end || round.sent == count && round.waiting() == 0) {
                return;
            }
            if (round.sent < count && now >= due) {
                long sendingAt = System.nanoTime();
                try {
                    channel.write(ByteBuffer.wrap(payload));
                    round.sending(sendingAt); // after the write: no reply is read before it returns
                } catch (PortUnreachableException e) {
                    // an earlier datagram's ICMP error was pending: Linux reports it from this write and sends
                    // nothing, so that datagram is refused and this one is sent again on the next pass
                    round.refused();
                }
                continue;
            }
            long wait = (round.sent < count ? Math.min(due, end) : end) - now;
            socket.setSoTimeout((int) Math.max(1, (wait + 999_999) / 1_000_000)); // 0 would mean forever
            try {
                reply.setLength(buffer.length);
                socket.receive(reply);
                round.reply(System.nanoTime(), expect, buffer, reply.getLength());
            } catch (SocketTimeoutException e) {
                // time to send the next datagram, or to stop
            } catch (PortUnreachableException e) {
                round.refused();
            }
        }
    }

    private void verdict(Round round, InetSocketAddress remote) throws ProbeException {
        String where = remote.getAddress().getHostAddress() + " port " + remote.getPort();
        if (round.received == 0 && round.refused > 0) {
            throw new ProbeException(ErrorKind.REFUSED, where + ": port unreachable");
        }
        if (round.received == 0) {
            throw new ProbeException(ErrorKind.TIMEOUT, where + ": no reply to " + round.sent + " datagram(s)");
        }
        if (round.mismatch != null) {
            throw new ProbeException(ErrorKind.PROTOCOL, expect + " did not match; received " + round.mismatch);
        }
    }

    private static ProbeException cancelled(ProbeContext ctx) {
        return ctx.remaining().isZero()
                ? new ProbeException(ErrorKind.TIMEOUT, "deadline passed")
                : new ProbeException(ErrorKind.CANCELLED, "cancelled");
    }

    private static void close(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do with a channel we are done with
        }
    }

    /** The datagrams of one attempt and what became of each. Used by one thread. */
    static final class Round {
        private final long[] sentAt;
        private final long[] rttNanos; // -1 until answered
        private final boolean[] settled; // answered or refused
        int sent;
        int received;
        int refused;
        String mismatch;

        Round(int count) {
            sentAt = new long[count];
            rttNanos = new long[count];
            Arrays.fill(rttNanos, -1);
            settled = new boolean[count];
        }

        void sending(long now) {
            sentAt[sent++] = now;
        }

        int waiting() {
            return sent - received - refused;
        }

        /** Credits a reply to the latest datagram still waiting; see the provider's note on matching. */
        void reply(long now, Expectation expect, byte[] data, int length) {
            int i = latestWaiting();
            if (i < 0) {
                return; // a duplicate or a late straggler: nothing is waiting for it
            }
            settled[i] = true;
            rttNanos[i] = now - sentAt[i];
            received++;
            if (expect != null && mismatch == null && !expect.matches(data, length)) {
                mismatch = Bytes.show(data, length);
            }
        }

        /** An ICMP port unreachable: the datagram it answers is lost. */
        void refused() {
            int i = latestWaiting();
            if (i >= 0) {
                settled[i] = true;
                refused++;
            }
        }

        private int latestWaiting() {
            int i = sent - 1;
            while (i >= 0 && settled[i]) {
                i--;
            }
            return i;
        }

        /** Adds the counts and round-trip statistics under the standard names. */
        void report(ProbeResult.Builder result) {
            RoundTrips trips = RoundTrips.create(sent);
            for (int i = 0; i < sent; i++) {
                if (rttNanos[i] >= 0) {
                    trips.received(rttNanos[i]);
                } else {
                    trips.lost();
                }
            }
            trips.record(result);
        }
    }
}
