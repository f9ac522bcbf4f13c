package dev.vantage.plugins.http;

import dev.vantage.plugins.http.HttpSettings.HttpVersion;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.TlsFacts;
import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.plugin.support.JsonText;
import dev.vantage.probe.plugin.support.TrustCheck;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * One attempt: a request and its redirects, each on a new connection, timed phase by phase.
 *
 * <p><b>Threads.</b> Name resolution runs on the caller's thread (and a virtual thread for redirect hops);
 * everything else runs on one Netty event loop, chosen up front, which also carries the connections and the
 * deadline timer. So the mutable state below is only touched on that loop and needs no locks.
 *
 * <p><b>Timing.</b> Phases are contiguous but for one gap: {@code dns} ends when the resolver answers (a hop to an
 * IP literal asks none and has no {@code dns}), and {@code connect} begins right before the connect call; the set-up
 * in between (the hand-off to the event loop, the channel) is in no phase, because at one attempt a second that
 * code runs interpreted and takes milliseconds that belong to neither. So the phases add up to the duration less
 * that set-up; each other phase ends at the {@link System#nanoTime()} the next begins. With redirects, each phase is the sum over all hops (as blackbox_exporter does),
 * so the total still covers the whole attempt; each hop's own phases, status and address are in the {@code hops}
 * attribute (see {@link Hop}), and its redirects also as {@code redirect.N} attributes.
 */
final class Exchange {
    static final String CONNECTION_HANDLER = "vantage-connection";
    private static final int MAX_HEADER_ATTRIBUTES = 32;
    private static final int MAX_HEADER_VALUE = 512;
    private static final String USER_AGENT = "Vantage-Probe/0.1";

    /** The phases in the order they happen within a hop. */
    enum Phase {
        DNS, CONNECT, TLS, WRITE, TTFB, TRANSFER;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    /** What one hop sends; built by the exchange, written by {@link Http1} or {@link Http2}. */
    record Request(String method, String scheme, String authority, String path,
                   List<Map.Entry<String, String>> headers, byte[] body) {
    }

    private final HttpSettings settings;
    private final HttpProbeProvider provider;
    private final ProbeContext ctx;
    private final EventLoop loop;
    private final CompletableFuture<ProbeResult> future = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private final long[] phaseNanos = new long[Phase.values().length];
    private final List<String> redirectLog = new ArrayList<>();
    private final List<Hop> hops = new ArrayList<>();
    private long markNanos = startNanos;
    private Phase phase = Phase.DNS;
    private Phase furthest = Phase.DNS;
    private boolean usedTls;
    private boolean resolvedName; // whether any hop asked a resolver, i.e. whether there is a dns phase
    private boolean finished;
    private ScheduledFuture<?> deadlineTimer;

    // the current hop
    private Hop hop;
    private URI url;
    private String method;
    private byte[] body;
    private Channel channel;
    private ReadClock readClock;
    private Request request;
    private boolean http1Ready;
    private boolean requestQueued;
    private InetSocketAddress remote;
    private String peer;
    private boolean earlyFirstByte;
    private Response response;
    private SSLSession tlsSession;
    private X509Certificate refusedCertificate;
    private String sniSent;

    Exchange(HttpSettings settings, HttpProbeProvider provider, ProbeContext ctx) {
        this.settings = settings;
        this.provider = provider;
        this.ctx = ctx;
        this.loop = provider.group().next();
        this.url = settings.target();
        this.method = settings.method();
        this.body = settings.body();
        this.peer = url.getHost();
        this.hop = newHop(url);
    }

    CompletableFuture<ProbeResult> start() {
        ctx.onCancel(() -> onLoop(this::onCancelled));
        resolveAndConnect();
        return future;
    }

    /** Resolves the current URL's host; may block, so it never runs on the event loop. */
    private void resolveAndConnect() {
        URI target = url;
        String host = target.getHost() == null ? "" : target.getHost(); // checked URLs have one; "" fails to resolve
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean literal = HostPort.isLiteral(host);
        try {
            InetAddress address = settings.ipVersion().choose(host, ctx.resolve(host));
            long resolvedAt = literal ? -1 : System.nanoTime();
            onLoop(() -> connect(target, new InetSocketAddress(address, port(target)), resolvedAt));
        } catch (ProbeException e) {
            long failedAt = System.nanoTime();
            onLoop(() -> {
                if (!literal) { // a resolver's answer or the ip version's choice failed: that was dns
                    resolvedName = true;
                    hop.resolved = true;
                }
                finish(e.toError(), failedAt);
            });
        } catch (RuntimeException e) {
            long failedAt = System.nanoTime();
            onLoop(() -> finish(ProbeError.of(ErrorKind.INTERNAL, e.toString()), failedAt));
        }
    }

    /**
     * Sets up the connection on the event loop, then connects. {@code dns} ends at {@code resolvedAt} (-1: an IP
     * literal, no dns) and {@code connect} starts right before the connect call, so that it measures the TCP
     * handshake: the hand-off to the loop, the channel's set-up and encoding a cleartext HTTP/1.1 request are in no
     * phase.
     */
    private void connect(URI target, InetSocketAddress address, long resolvedAt) {
        if (finished || target != url) {
            return;
        }
        if (resolvedAt >= 0) {
            account(resolvedAt);
            resolvedName = true;
            hop.resolved = true;
        }
        remote = address;
        hop.address = address.getAddress().getHostAddress();
        String ipAndPort = address.getAddress().getHostAddress() + ":" + address.getPort();
        peer = target.getHost().equals(address.getAddress().getHostAddress()) ? ipAndPort
                : target.getHost() + " (" + ipAndPort + ")";
        try {
            ctx.checkAddress(address);
        } catch (ProbeException e) {
            finish(e.toError(), System.nanoTime());
            return;
        }
        SslContext tls = null;
        if (isHttps(target)) {
            try {
                TlsContexts contexts = settings.tls() != null ? settings.tls() : provider.systemTls();
                tls = contexts.context(settings.verifyTls(), settings.httpVersion());
            } catch (Exception e) {
                finish(ProbeError.of(ErrorKind.CONFIG, "cannot set up TLS: " + e.getMessage()), System.nanoTime());
                return;
            }
            usedTls = true;
            hop.tls = true;
        }
        if (deadlineTimer == null) {
            // armed with the first connection rather than at the start: one hand-off to the loop per attempt
            // (resolving is bounded by the deadline itself)
            deadlineTimer = loop.schedule(this::onDeadline, ctx.remaining().toNanos(), TimeUnit.NANOSECONDS);
        }
        request = request();
        // cleartext HTTP/1.1 needs no negotiation: its handlers go in now, not while the write is timed
        http1Ready = tls == null && settings.httpVersion() != HttpVersion.HTTP2;
        SocketChannel ch = HttpProbeProvider.newChannel(address.getAddress());
        ch.config().setTcpNoDelay(true); // no Netty connect timeout either: the deadline timer covers connecting
        readClock = new ReadClock(ch.config().getRecvByteBufAllocator());
        ch.config().setRecvByteBufAllocator(readClock);
        ChannelPipeline pipeline = ch.pipeline();
        if (tls != null) {
            pipeline.addLast(sslHandler(tls, ch, target));
        }
        pipeline.addLast(CONNECTION_HANDLER, new ConnectionHandler());
        if (http1Ready) {
            Http1.prepare(pipeline, this);
        }
        loop.register(ch); // on the loop, so at once
        channel = ch;
        ChannelPromise connected = ch.newPromise();
        // listening before connecting: a connect that fails at once is reported as such, not as the queued write's
        // failure. The promise completes before channelActive reaches the SslHandler, i.e. before the ClientHello
        connected.addListener(f -> {
            if (f.isSuccess()) {
                onConnected(ch);
            } else {
                fail(ch, f.cause());
            }
        });
        if (http1Ready) {
            Http1.queue(ch, request, this); // encoded now; it leaves, and 'write' is timed, once connected
            requestQueued = true;
        }
        long now = System.nanoTime();
        markNanos = now; // the set-up since the resolver's answer is in no phase
        advance(Phase.CONNECT, now);
        ch.connect(address, connected); // to the address itself: names come from ctx.resolve only
    }

    private SslHandler sslHandler(SslContext context, Channel ch, URI target) {
        // the peer host drives both SNI and host name verification; the JDK sends no SNI for an IP literal
        String host = settings.sni() != null ? settings.sni() : target.getHost();
        SslHandler handler = context.newHandler(ch.alloc(), host, port(target));
        handler.setHandshakeTimeoutMillis(0); // the attempt's deadline timer covers the handshake
        SSLEngine engine = handler.engine();
        List<SNIServerName> names = engine.getSSLParameters().getServerNames();
        sniSent = names == null || names.isEmpty() || !(names.get(0) instanceof SNIHostName name)
                ? null : name.getAsciiName();
        return handler;
    }

    private void onConnected(Channel ch) {
        if (!isCurrent(ch)) {
            return;
        }
        if (isHttps(url)) {
            advance(Phase.TLS, System.nanoTime());
        } else {
            advance(Phase.WRITE, System.nanoTime());
            send(ch, false, null);
        }
    }

    private void onHandshake(Channel ch, SslHandshakeCompletionEvent event) {
        if (!isCurrent(ch)) {
            return;
        }
        if (!event.isSuccess()) {
            fail(ch, event.cause());
            return;
        }
        advance(Phase.WRITE, System.nanoTime());
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        tlsSession = ssl.engine().getSession();
        send(ch, true, ssl.applicationProtocol());
    }

    /**
     * Writes the request with the protocol the connection settled on: over TLS what ALPN chose (a server that chose
     * nothing speaks HTTP/1.1), in cleartext the setting ({@code http2}: prior knowledge).
     */
    private void send(Channel ch, boolean tls, String alpn) {
        boolean h2 = tls ? ApplicationProtocolNames.HTTP_2.equals(alpn) : settings.httpVersion() == HttpVersion.HTTP2;
        if (settings.httpVersion() == HttpVersion.HTTP2 && !h2) {
            failProtocol(ch, peer + " did not accept HTTP/2 through ALPN");
            return;
        }
        if (h2) {
            Http2.send(ch, request, this);
        } else {
            if (!http1Ready) {
                Http1.prepare(ch.pipeline(), this);
            }
            if (!requestQueued) {
                Http1.queue(ch, request, this);
            }
            ch.flush();
        }
    }

    private Request request() {
        // keyed by lower-case name so that a user header replaces the default of the same name
        Map<String, Map.Entry<String, String>> headers = new LinkedHashMap<>();
        put(headers, "User-Agent", USER_AGENT);
        put(headers, "Accept", "*/*");
        if (settings.authorization() != null) {
            put(headers, "Authorization", settings.authorization());
        }
        for (Map.Entry<String, String> h : settings.headers()) {
            put(headers, h.getKey(), h.getValue());
        }
        if (!sameOrigin(url, settings.target())) {
            headers.remove("authorization"); // like curl: credentials do not follow a redirect to another origin
            headers.remove("cookie");
        }
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        return new Request(method, url.getScheme().toLowerCase(Locale.ROOT), url.getRawAuthority(), path,
                List.copyOf(headers.values()), body);
    }

    private static void put(Map<String, Map.Entry<String, String>> headers, String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), Map.entry(name, value));
    }

    void onWritten(Channel ch) {
        if (!isCurrent(ch) || phase != Phase.WRITE) {
            return;
        }
        advance(Phase.TTFB, System.nanoTime());
        if (earlyFirstByte) {
            advance(Phase.TRANSFER, markNanos);
        }
    }

    /** The first byte of the response to this hop's request arrived; it is timed from the start of its read. */
    void onFirstByte(Channel ch) {
        if (!isCurrent(ch)) {
            return;
        }
        if (phase == Phase.TTFB) {
            // a read that began before the request was out (TLS: the one that finished the handshake went on
            // reading) counts from the end of the write, so that the phases stay in order
            advance(Phase.TRANSFER, Math.max(readClock.readStartNanos(), markNanos));
        } else if (phase == Phase.WRITE) {
            earlyFirstByte = true; // the server answered before the request was out; ttfb becomes zero
        }
    }

    void onResponseHead(Channel ch, int status, String version,
                        Iterator<Map.Entry<CharSequence, CharSequence>> headers) {
        if (!isCurrent(ch)) {
            return;
        }
        Response r = new Response(status, version);
        hop.status = status;
        while (headers.hasNext()) {
            Map.Entry<CharSequence, CharSequence> h = headers.next();
            String name = h.getKey().toString().toLowerCase(Locale.ROOT);
            if (!name.startsWith(":")) { // HTTP/2 pseudo-headers are reported as status and version instead
                r.header(name, h.getValue().toString());
            }
        }
        r.keep = settings.keepBody() && !willRedirect(r);
        response = r;
    }

    void onBody(Channel ch, ByteBuf content) {
        if (isCurrent(ch) && response != null) {
            response.body(content, settings.maxBodyBytes());
        }
    }

    /** The last byte of the response arrived: follow a redirect or finish. */
    void onEnd(Channel ch) {
        if (!isCurrent(ch)) {
            return;
        }
        long now = System.nanoTime();
        if (response == null) {
            failProtocol(ch, "the response from " + peer + " ended before its status line");
            return;
        }
        advance(Phase.TRANSFER, now);
        if (willRedirect(response)) {
            redirect(now);
        } else if (!settings.validStatus().contains(response.status)) {
            finish(ProbeError.of(ErrorKind.PROTOCOL, "status " + response.status + " from " + url
                    + " is not in validStatus " + settings.validStatus()), now);
        } else {
            finish(null, now);
        }
    }

    private boolean willRedirect(Response r) {
        return settings.followRedirects() && r.location != null
                && (r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308);
    }

    private void redirect(long now) {
        if (redirectLog.size() >= settings.maxRedirects()) {
            finish(ProbeError.of(ErrorKind.PROTOCOL, "more than " + settings.maxRedirects() + " redirects (next: "
                    + response.status + " to " + response.location + ")"), now);
            return;
        }
        URI next;
        try {
            next = url.resolve(new URI(response.location));
        } catch (URISyntaxException e) {
            finish(ProbeError.of(ErrorKind.PROTOCOL, "redirect from " + url + " to an invalid location: "
                    + e.getMessage()), now);
            return;
        }
        ConfigProblem problem = HttpSettings.checkUrl(next);
        if (problem != null) {
            finish(ProbeError.of(ErrorKind.PROTOCOL, "redirect from " + url + " refused: " + problem.reason()), now);
            return;
        }
        int status = response.status;
        redirectLog.add(status + " " + next);
        // what browsers and blackbox_exporter do: 303 always, and 301/302 after a POST, continue with a GET
        if ((status == 303 && !method.equals("HEAD")) || ((status == 301 || status == 302) && method.equals("POST"))) {
            method = "GET";
            body = null;
        }
        closeHop();
        url = next;
        peer = next.getHost();
        remote = null; // the next hop's address, once it resolves: a hop that does not resolve has none
        advance(Phase.DNS, now);
        hop = newHop(next);
        Thread.ofVirtual().name("vantage-http-redirect").start(this::resolveAndConnect);
    }

    void failProtocol(Channel ch, String message) {
        if (isCurrent(ch)) {
            finish(ProbeError.of(ErrorKind.PROTOCOL, message), System.nanoTime());
        }
    }

    void fail(Channel ch, Throwable cause) {
        if (isCurrent(ch)) {
            TrustCheck.Refusal refusal = TrustCheck.refusal(cause);
            if (refusal != null) {
                refusedCertificate = refusal.certificate(); // its facts are reported although it was refused
            }
            finish(Failures.classify(cause, phase.label, peer), System.nanoTime());
        }
    }

    private void onDeadline() {
        if (!finished) {
            finish(ProbeError.of(ErrorKind.TIMEOUT, "no complete answer from " + peer + " within the deadline "
                    + "(timed out during " + phase.label + ")"), System.nanoTime());
        }
    }

    private void onCancelled() {
        if (!finished) {
            boolean late = !Instant.now().isBefore(ctx.deadline());
            finish(late ? ProbeError.of(ErrorKind.TIMEOUT, "deadline passed during " + phase.label)
                    : ProbeError.of(ErrorKind.CANCELLED, "cancelled during " + phase.label), System.nanoTime());
        }
    }

    private boolean isCurrent(Channel ch) {
        return !finished && ch == channel;
    }

    private void advance(Phase next, long now) {
        account(now);
        phase = next;
        if (next.compareTo(furthest) > 0) {
            furthest = next;
        }
        if (next.compareTo(hop.furthest) > 0) {
            hop.furthest = next;
        }
    }

    /** Books the time since the last mark to the current phase, in the attempt's sums and in the hop's own. */
    private void account(long now) {
        phaseNanos[phase.ordinal()] += now - markNanos;
        hop.phaseNanos[phase.ordinal()] += now - markNanos;
        markNanos = now;
    }

    private Hop newHop(URI target) {
        Hop h = new Hop(target);
        hops.add(h);
        return h;
    }

    private void closeHop() {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        if (tlsSession != null) {
            // new connections must not resume this session: resumption skips the certificate checks and
            // shortens the handshake we are measuring
            tlsSession.invalidate();
            tlsSession = null;
        }
        sniSent = null;
        response = null;
        earlyFirstByte = false;
        requestQueued = false;
    }

    private void finish(ProbeError error, long now) {
        if (finished) {
            return;
        }
        account(now);
        ProbeResult.Builder result = ctx.newResult();
        for (Phase p : Phase.values()) {
            if (p.compareTo(furthest) <= 0 && (p != Phase.TLS || usedTls) && (p != Phase.DNS || resolvedName)) {
                result.phaseNanos(p.label, phaseNanos[p.ordinal()]);
            }
        }
        result.durationNanos(now - startNanos);
        result.measurement("redirects", redirectLog.size());
        for (int i = 0; i < redirectLog.size(); i++) {
            result.attribute("redirect." + (i + 1), redirectLog.get(i));
        }
        result.attribute("finalUrl", url.toString());
        result.attribute("hops", Hop.toJson(hops));
        if (remote != null) {
            result.attribute("remoteAddress", remote.getAddress().getHostAddress());
        }
        if (tlsSession != null) {
            TlsFacts.record(result, tlsSession, sniSent, Instant.now());
            TrustCheck.recordVerdict(result, tlsSession);
        } else if (refusedCertificate != null) {
            TlsFacts.recordCertificate(result, refusedCertificate, Instant.now()); // e.g. an expired one's dates
        }
        if (response != null) {
            response.record(result);
        }
        if (error != null) {
            result.error(error);
        }
        finished = true;
        closeHop();
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        future.complete(result.build());
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new ProbeException(ErrorKind.CANCELLED, "the http plugin is closed"));
        }
    }

    private static boolean isHttps(URI uri) {
        return uri.getScheme().equalsIgnoreCase("https");
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : isHttps(uri) ? 443 : 80;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    /** Sees every connection-level event; protocol handlers sit in front of it and consume the responses. */
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext c, Object event) {
            if (event instanceof SslHandshakeCompletionEvent handshake) {
                onHandshake(c.channel(), handshake);
            }
            ReferenceCountUtil.release(event);
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            ReferenceCountUtil.release(msg); // HTTP/2 connection frames (SETTINGS, PING, GOAWAY) end here
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
            fail(c.channel(), cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            failProtocol(c.channel(), peer + " closed the connection during " + phase.label
                    + (response == null ? " before a response" : " before the response was complete"));
        }
    }

    /**
     * One hop's own story, for the {@code hops} attribute: its URL, the status and address once known, and the
     * phases it reached, booked by the same marks as the attempt's sums (so the hops add up to them exactly).
     */
    private static final class Hop {
        final URI url;
        final long[] phaseNanos = new long[Phase.values().length];
        Phase furthest = Phase.DNS;
        boolean tls;
        boolean resolved;
        String address;
        int status = -1;

        Hop(URI url) {
            this.url = url;
        }

        /** {@code [{"url":..., "status":302, "remoteAddress":"127.0.0.1", "phases":{"dns":0.05, ...}}, ...]}. */
        static String toJson(List<Hop> hops) {
            StringBuilder json = new StringBuilder("[");
            for (Hop h : hops) {
                json.append(json.length() > 1 ? ",{" : "{").append("\"url\":");
                JsonText.quote(h.url.toString(), json);
                if (h.status >= 0) {
                    json.append(",\"status\":").append(h.status);
                }
                if (h.address != null) {
                    json.append(",\"remoteAddress\":");
                    JsonText.quote(h.address, json);
                }
                json.append(",\"phases\":{");
                String comma = "";
                for (Phase p : Phase.values()) {
                    if (p.compareTo(h.furthest) <= 0 && (p != Phase.TLS || h.tls) && (p != Phase.DNS || h.resolved)) {
                        // milliseconds to the nanosecond, like the result's own phases
                        json.append(comma).append('"').append(p.label).append("\":")
                                .append(BigDecimal.valueOf(h.phaseNanos[p.ordinal()], 6).stripTrailingZeros()
                                        .toPlainString());
                        comma = ",";
                    }
                }
                json.append("}}");
            }
            return json.append(']').toString();
        }
    }

    /** The response of one hop: status, capped headers, and the body counted and kept up to a cap. */
    private static final class Response {
        final int status;
        final String version;
        final Map<String, String> headers = new LinkedHashMap<>();
        String location;
        String contentType;
        boolean keep;
        long bodyBytes;
        byte[] kept = new byte[0];
        int keptLength;
        boolean truncated;

        Response(int status, String version) {
            this.status = status;
            this.version = version;
        }

        void header(String name, String value) {
            switch (name) {
                case "location" -> location = value;
                case "content-type" -> contentType = value;
                default -> {
                }
            }
            // cookies are the server's secrets; a cap keeps a header-stuffing server from bloating results
            if (name.equals("set-cookie") || (headers.size() >= MAX_HEADER_ATTRIBUTES && !headers.containsKey(name))) {
                return;
            }
            String joined = headers.containsKey(name) ? headers.get(name) + ", " + value : value;
            headers.put(name, joined.length() > MAX_HEADER_VALUE ? joined.substring(0, MAX_HEADER_VALUE) : joined);
        }

        void body(ByteBuf content, long max) {
            int n = content.readableBytes();
            bodyBytes += n;
            if (!keep) {
                return;
            }
            int take = (int) Math.min(n, max - keptLength);
            if (take < n) {
                truncated = true;
            }
            if (take > 0) {
                if (keptLength + take > kept.length) {
                    kept = Arrays.copyOf(kept, (int) Math.min(max, Math.max(2L * kept.length, keptLength + take)));
                }
                content.getBytes(content.readerIndex(), kept, keptLength, take);
                keptLength += take;
            }
        }

        void record(ProbeResult.Builder result) {
            result.measurement("httpStatus", status);
            result.measurement("bodyBytes", bodyBytes);
            result.attribute("httpVersion", version);
            headers.forEach((name, value) -> result.attribute("header." + name, value));
            if (keep) {
                result.attribute("body", new String(kept, 0, keptLength,
                        HttpUtil.getCharset(Objects.requireNonNullElse(contentType, ""), StandardCharsets.UTF_8)));
                result.attribute("bodyTruncated", String.valueOf(truncated));
            }
        }
    }
}
