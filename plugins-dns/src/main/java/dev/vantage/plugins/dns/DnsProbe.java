package dev.vantage.plugins.dns;

import dev.vantage.probe.plugin.support.ConnectFailure;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One configured DNS query. Blocking I/O on the attempt's (virtual) thread, like the TCP and UDP probes: a new
 * socket per attempt, so every attempt measures a fresh exchange (and, for DoT and DoH, a full handshake).
 */
final class DnsProbe implements Probe {
    /** Which way a query travels. */
    enum Transport {
        UDP(53), TCP(53), DOT(853), DOH(443);

        final int defaultPort;

        Transport(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The query, as the provider parsed it. */
    record Query(Name name, int type, boolean recursion, int ednsBufferSize, boolean dnssecOk) {
        /** A new message (a new random id) for one attempt. */
        Message message() {
            Message m = Message.newQuery(Record.newRecord(name, type, DClass.IN));
            if (!recursion) {
                m.getHeader().unsetFlag(Flags.RD);
            }
            if (ednsBufferSize > 0) {
                m.addRecord(new OPTRecord(ednsBufferSize, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
            }
            return m;
        }
    }

    private final Query query;
    private final Transport transport;
    private final Endpoint resolver; // null: the system's
    private final ResolvConf system;
    private final IpVersion family;
    private final String serverName; // DoT and DoH: SNI and the name verified; null: the resolver's host
    private final Tls tls;

    DnsProbe(Query query, Transport transport, Endpoint resolver, ResolvConf system, IpVersion family,
             String serverName, Tls tls) {
        this.query = query;
        this.transport = transport;
        this.resolver = resolver;
        this.system = system;
        this.family = family;
        this.serverName = serverName;
        this.tls = tls;
    }

    @Override
    public CompletionStage<ProbeResult> run(ProbeContext ctx) {
        ProbeResult.Builder result = ctx.newResult();
        long start = System.nanoTime();
        Socket[] open = new Socket[1]; // the stream socket, closed at the end and on cancellation
        try {
            Endpoint to = resolver != null ? resolver : systemResolver();
            InetAddress address = family.choose(to.host(), ctx.resolve(to.host()));
            InetSocketAddress remote = new InetSocketAddress(address, to.port());
            ctx.checkAddress(remote);
            result.attribute("remoteAddress", address.getHostAddress());
            result.attribute("qname", query.name().toString());
            long mark = phase(result, "resolve", start);

            Message sent = query.message();
            byte[] wire = sent.toWire();
            Exchange answer;
            if (transport == Transport.UDP) {
                answer = udp(ctx, remote, wire, sent.getHeader().getID());
                if (answer.message().getHeader().getFlag(Flags.TC)) {
                    // too big for a datagram: ask again over TCP, as resolvers do (RFC 7766)
                    result.attribute("truncated", "true");
                    result.phaseNanos("udpQuery", answer.at() - mark);
                    answer = stream(ctx, remote, to, wire, result, answer.at(), open);
                    result.attribute("transport", "tcp");
                } else {
                    result.attribute("truncated", "false");
                    result.attribute("transport", "udp");
                    result.phaseNanos("query", answer.at() - mark);
                }
            } else {
                answer = stream(ctx, remote, to, wire, result, mark, open);
                result.attribute("truncated", String.valueOf(answer.message().getHeader().getFlag(Flags.TC)));
                result.attribute("transport", transport.id());
            }
            check(answer.message(), sent);
            Answer.record(result, answer.message(), answer.size(), query.type());
            verdict(answer.message(), remote);
        } catch (ProbeException e) {
            // a socket closed under us by cancellation fails in odd ways; say what really happened
            boolean interrupted = ctx.isCancelled() && e.kind() != ErrorKind.TIMEOUT;
            result.error((interrupted ? cancelled(ctx) : e).toError());
        } finally {
            close(open[0]);
        }
        return CompletableFuture.completedFuture(result.durationNanos(System.nanoTime() - start).build());
    }

    private Endpoint systemResolver() throws ProbeException {
        List<InetAddress> servers = system.servers();
        if (servers.isEmpty()) {
            throw new ProbeException(ErrorKind.CONFIG, "no resolver given and no nameserver in /etc/resolv.conf");
        }
        String host = servers.getFirst().getHostAddress();
        return new Endpoint(host, transport.defaultPort, null, null);
    }

    /** A response, its size on the wire, and when it had been read (before parsing). */
    private record Exchange(Message message, int size, long at) {
    }

    /** One datagram out, and the first answer to it back; datagrams that answer another id are ignored. */
    private static Exchange udp(ProbeContext ctx, InetSocketAddress remote, byte[] wire, int id)
            throws ProbeException {
        StandardProtocolFamily pf = remote.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        try (DatagramChannel channel = DatagramChannel.open(pf)) {
            ctx.onCancel(() -> close(channel));
            channel.connect(remote); // connected: the kernel drops other senders and reports port unreachable
            channel.write(ByteBuffer.wrap(wire));
            DatagramSocket socket = channel.socket(); // unlike the channel, its receive takes a timeout
            byte[] buffer = new byte[65_535];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (true) {
                socket.setSoTimeout(millisLeft(ctx, remote));
                packet.setLength(buffer.length);
                socket.receive(packet);
                int n = packet.getLength();
                long at = System.nanoTime();
                if (n >= Header.LENGTH && new Header(buffer).getID() == id) {
                    return parse(buffer, n, remote, at);
                }
            }
        } catch (PortUnreachableException e) {
            throw new ProbeException(ErrorKind.REFUSED, where(remote) + ": port unreachable", e);
        } catch (SocketTimeoutException e) {
            throw noAnswer(remote, e);
        } catch (IOException e) {
            throw ctx.isCancelled() ? cancelled(ctx)
                    : new ProbeException(ErrorKind.UNREACHABLE, where(remote) + ": " + e.getMessage(), e);
        }
    }

    /** TCP, DoT or DoH: connect, handshake where there is TLS, then one query on the connection. */
    private Exchange stream(ProbeContext ctx, InetSocketAddress remote, Endpoint to, byte[] wire,
                            ProbeResult.Builder result, long mark, Socket[] open) throws ProbeException {
        Socket plain = new Socket();
        open[0] = plain;
        ctx.onCancel(() -> close(plain)); // closing a plain socket does not block; it wakes any blocked call
        try {
            plain.connect(remote, millisLeft(ctx, remote));
        } catch (SocketTimeoutException e) {
            throw noAnswer(remote, e);
        } catch (IOException e) {
            throw ConnectFailure.of(e, remote);
        }
        mark = phase(result, "connect", mark);
        Socket socket = plain;
        if (transport == Transport.DOT || transport == Transport.DOH) {
            socket = tls.handshake(plain, serverName != null ? serverName : to.host(), remote.getPort(),
                    transport == Transport.DOH ? "http/1.1" : null, millisLeft(ctx, remote), result);
            open[0] = socket;
            mark = phase(result, "tls", mark);
        }
        try {
            socket.setSoTimeout(millisLeft(ctx, remote));
            Exchange answer = transport == Transport.DOH
                    ? doh(socket, to, wire, remote, result, ctx)
                    : framed(socket, wire, remote, ctx);
            result.phaseNanos("query", answer.at() - mark);
            return answer;
        } catch (SocketTimeoutException e) {
            throw noAnswer(remote, e);
        } catch (IOException | RuntimeException e) {
            if (ctx.isCancelled()) {
                throw cancelled(ctx);
            }
            throw new ProbeException(ErrorKind.PROTOCOL, where(remote) + ": " + e.getMessage(), e);
        }
    }

    /** DNS over TCP and DoT: the message behind its two-byte length (RFC 1035 4.2.2). */
    private static Exchange framed(Socket socket, byte[] wire, InetSocketAddress remote, ProbeContext ctx)
            throws IOException, ProbeException {
        OutputStream out = socket.getOutputStream();
        byte[] framed = new byte[wire.length + 2];
        framed[0] = (byte) (wire.length >> 8);
        framed[1] = (byte) wire.length;
        System.arraycopy(wire, 0, framed, 2, wire.length);
        out.write(framed);
        out.flush();
        DataInputStream in = new DataInputStream(new Deadlined(socket, ctx));
        try {
            int length = in.readUnsignedShort();
            byte[] answer = new byte[length];
            in.readFully(answer);
            return parse(answer, length, remote, System.nanoTime());
        } catch (EOFException e) {
            throw new ProbeException(ErrorKind.PROTOCOL, where(remote) + " closed the connection before a "
                    + "complete answer", e);
        }
    }

    private static Exchange doh(Socket socket, Endpoint url, byte[] wire, InetSocketAddress remote,
                                ProbeResult.Builder result, ProbeContext ctx) throws IOException, ProbeException {
        Doh.Response response = Doh.exchange(url, wire, new Deadlined(socket, ctx), socket.getOutputStream());
        long at = System.nanoTime();
        result.measurement("httpStatus", response.status());
        if (response.status() != 200) {
            throw new ProbeException(ErrorKind.PROTOCOL, "HTTP status " + response.status() + " from " + url);
        }
        if (response.contentType() == null || !response.contentType().toLowerCase(java.util.Locale.ROOT)
                .startsWith(Doh.MEDIA_TYPE)) {
            throw new ProbeException(ErrorKind.PROTOCOL, url + " answered " + response.contentType()
                    + ", not " + Doh.MEDIA_TYPE);
        }
        return parse(response.body(), response.body().length, remote, at);
    }

    private static Exchange parse(byte[] data, int length, InetSocketAddress remote, long at)
            throws ProbeException {
        try {
            return new Exchange(new Message(java.util.Arrays.copyOf(data, length)), length, at);
        } catch (IOException e) {
            throw new ProbeException(ErrorKind.PROTOCOL, "malformed answer from " + where(remote) + ": "
                    + e.getMessage(), e);
        }
    }

    /** A response to some other question, or no response at all, is a broken server (or a forged answer). */
    private static void check(Message answer, Message sent) throws ProbeException {
        Header h = answer.getHeader();
        if (!h.getFlag(Flags.QR) || h.getID() != sent.getHeader().getID()) {
            throw new ProbeException(ErrorKind.PROTOCOL, "the answer is not a response to the query (id "
                    + h.getID() + ", qr " + h.getFlag(Flags.QR) + ")");
        }
        Record q = answer.getQuestion();
        Record asked = sent.getQuestion();
        if (q != null && !(q.getName().equals(asked.getName()) && q.getType() == asked.getType())) {
            throw new ProbeException(ErrorKind.PROTOCOL, "the answer is for another question: " + q.getName()
                    + " " + Type.string(q.getType()));
        }
    }

    /** NOERROR succeeds (with or without answers); REFUSED is the resolver refusing; any other rcode is DNS. */
    private void verdict(Message answer, InetSocketAddress remote) throws ProbeException {
        int rcode = answer.getRcode();
        if (rcode == Rcode.NOERROR) {
            return;
        }
        String message = Rcode.string(rcode) + " for " + query.name() + " " + Type.string(query.type()) + " from "
                + where(remote);
        throw new ProbeException(rcode == Rcode.REFUSED ? ErrorKind.REFUSED : ErrorKind.DNS, message);
    }

    private static ProbeException noAnswer(InetSocketAddress remote, IOException e) {
        return new ProbeException(ErrorKind.TIMEOUT, "no answer from " + where(remote) + " within the deadline", e);
    }

    private static ProbeException cancelled(ProbeContext ctx) {
        return ctx.remaining().isZero()
                ? new ProbeException(ErrorKind.TIMEOUT, "deadline passed")
                : new ProbeException(ErrorKind.CANCELLED, "cancelled");
    }

    private static String where(InetSocketAddress remote) {
        return remote.getAddress().getHostAddress() + " port " + remote.getPort();
    }

    /** Time left in whole milliseconds, rounded up: socket timeouts take int millis, and 0 would mean forever. */
    private static int millisLeft(ProbeContext ctx, InetSocketAddress remote) throws ProbeException {
        Duration left = ctx.remaining();
        if (left.isZero() || left.isNegative()) {
            throw noAnswer(remote, null);
        }
        return (int) Math.min(Integer.MAX_VALUE, left.plusNanos(999_999).toMillis());
    }

    private static long phase(ProbeResult.Builder result, String name, long since) {
        long now = System.nanoTime();
        result.phaseNanos(name, now - since);
        return now;
    }

    private static void close(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // nothing left to do with a socket we are done with
        }
    }

    /** A socket's input whose every read waits at most until the attempt's deadline, not a fresh timeout each. */
    private static final class Deadlined extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final ProbeContext ctx;

        Deadlined(Socket socket, ProbeContext ctx) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.ctx = ctx;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long left = ctx.remaining().plusNanos(999_999).toMillis();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            return in.read(b, off, len);
        }
    }
}
