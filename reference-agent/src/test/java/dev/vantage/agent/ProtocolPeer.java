package dev.vantage.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Policy;
import dev.vantage.agent.protocol.ProtocolCodec;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Vantage server in tests: a real Netty WebSocket server on a loopback port that speaks
 * docs/agent-protocol.md with {@link ProtocolCodec}. It serves enrollment, refuses a wrong credential with 401
 * before the upgrade, answers {@code hello} with the configured {@code welcome}, records everything the agent sends
 * and (unless told not to) acks every batch. It can stop and start again on the same port.
 */
public final class ProtocolPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final String agentId;
    public volatile String secret;
    public volatile String enrollToken = "vet_test-token";
    public volatile boolean autoAck = true;
    public volatile Message.Welcome welcome;

    public final List<Message> received = new CopyOnWriteArrayList<>();
    public final List<JsonNode> enrollRequests = new CopyOnWriteArrayList<>();
    /** Every result received, by id, the first copy; duplicates are counted. */
    public final Map<String, ProbeResult> results = new ConcurrentHashMap<>();
    public final AtomicInteger duplicates = new AtomicInteger();
    public final AtomicInteger upgradeAttempts = new AtomicInteger();
    public final AtomicInteger refused = new AtomicInteger();
    /** Close frames the agent sent: "status reason". */
    public final List<String> closes = new CopyOnWriteArrayList<>();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile Channel server;
    private volatile Channel agent;
    private int port;

    public ProtocolPeer(String agentId, String secret) {
        this.agentId = agentId;
        this.secret = secret;
        this.welcome = welcome(List.of());
    }

    /** A welcome with an open policy and a short heartbeat, so liveness is exercised too. */
    public Message.Welcome welcome(List<TaskSpec> tasks) {
        return new Message.Welcome(agentId, Duration.ofMillis(500), new Policy(List.of(), List.of(), List.of()), tasks);
    }

    /** Starts on a random loopback port, or the same port as before after {@link #stop()}. */
    public ProtocolPeer start() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new HttpHandler(),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/ws/agent").maxFramePayloadLength(16 << 20)
                                        .handleCloseFrames(false).build()),
                                new WebSocketFrameAggregator(16 << 20),
                                new FrameHandler());
                    }
                });
        server = b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
        return this;
    }

    /** Closes the listening socket and every connection, as a crashed server would. */
    public void stop() throws InterruptedException {
        server.close().sync();
        channels.close().sync();
        agent = null;
    }

    public int port() {
        return port;
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + port + "/ws/agent");
    }

    /** Sends a message to the connected agent. */
    public void send(Message m) {
        Channel ch = agent;
        if (ch == null) {
            throw new IllegalStateException("no agent connected");
        }
        ch.writeAndFlush(new TextWebSocketFrame(ProtocolCodec.encode(m)));
    }

    /** Stops reading from the agent's connection: no acks, no pongs, as a hung server would. */
    public void fallSilent() {
        Channel ch = agent;
        if (ch != null) {
            ch.config().setAutoRead(false);
        }
    }

    public boolean agentConnected() {
        Channel ch = agent;
        return ch != null && ch.isActive();
    }

    public <T extends Message> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public long resultsOf(String taskId) {
        return results.values().stream().filter(r -> r.taskId().equals(taskId)).count();
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.close().sync();
        }
        channels.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    /** Enrollment and the credential check; a good upgrade request goes on to the WebSocket handler. */
    private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        HttpHandler() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
            if (req.method() == HttpMethod.POST && req.uri().equals("/api/v1/agents/enroll")) {
                JsonNode body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
                req.release();
                enrollRequests.add(body);
                if (!enrollToken.equals(body.path("token").asText())) {
                    respond(ctx, HttpResponseStatus.UNAUTHORIZED, "{\"error\":\"enrollment token is invalid\"}");
                } else {
                    respond(ctx, HttpResponseStatus.CREATED, JSON.createObjectNode().put("agentId", agentId)
                            .put("credential", secret).toString());
                }
                return;
            }
            if (req.uri().startsWith("/ws/agent")) {
                upgradeAttempts.incrementAndGet();
                if (!("Bearer " + agentId + "." + secret).equals(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
                    refused.incrementAndGet();
                    req.release();
                    respond(ctx, HttpResponseStatus.UNAUTHORIZED, "");
                    return;
                }
                ctx.fireChannelRead(req);
                return;
            }
            req.release();
            respond(ctx, HttpResponseStatus.NOT_FOUND, "");
        }

        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
            var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The server side of the protocol. */
    private final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                agent = ctx.channel();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                closes.add(close.statusCode() + " " + close.reasonText());
                ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "")).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (!(frame instanceof TextWebSocketFrame text)) {
                return;
            }
            Message m = ProtocolCodec.decode(text.text());
            received.add(m);
            switch (m) {
                case Message.Hello h -> ctx.writeAndFlush(new TextWebSocketFrame(ProtocolCodec.encode(welcome)));
                case Message.Results r -> {
                    int stored = 0;
                    for (ProbeResult x : r.results()) {
                        if (results.putIfAbsent(x.id(), x) == null) {
                            stored++;
                        } else {
                            duplicates.incrementAndGet();
                        }
                    }
                    if (autoAck) {
                        ack(ctx.channel(), r, stored);
                    }
                }
                default -> { }
            }
        }
    }

    /** Acks a batch the agent sent (for tests that hold acks back). */
    public void ack(Message.Results batch) {
        ack(agent, batch, batch.results().size());
    }

    private static void ack(Channel ch, Message.Results r, int stored) {
        ch.writeAndFlush(new TextWebSocketFrame(ProtocolCodec.encode(
                new Message.Ack(r.batch(), stored, r.results().size() - stored))));
    }
}
