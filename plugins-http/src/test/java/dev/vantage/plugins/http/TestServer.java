package dev.vantage.plugins.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 and HTTP/2 server on 127.0.0.1 with routes that misbehave on purpose:
 * {@code /ok}, {@code /redirect/N}, {@code /to?url=U}, {@code /slowto/MS?url=U} (redirects after MS), {@code /delay/MS},
 * {@code /status/CODE}, {@code /big/N},
 * {@code /echo} and {@code /close} (HTTP/1 only: promises 100 bytes, sends 10, closes).
 */
final class TestServer implements AutoCloseable {
    enum Mode { HTTP1, H2C, TLS }

    private final Channel channel;
    private final String scheme;

    private TestServer(Channel channel, String scheme) {
        this.channel = channel;
        this.scheme = scheme;
    }

    static TestServer http1(EventLoopGroup group) throws Exception {
        return start(group, Mode.HTTP1, null);
    }

    static TestServer h2c(EventLoopGroup group) throws Exception {
        return start(group, Mode.H2C, null);
    }

    /** TLS with ALPN offering h2 and http/1.1, presenting {@code cert} and its chain. */
    static TestServer tls(EventLoopGroup group, X509Bundle cert) throws Exception {
        SslContext ssl = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                .sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
        return start(group, Mode.TLS, ssl);
    }

    /** TLS without ALPN (an older server): the client must speak HTTP/1.1 to it. */
    static TestServer tlsWithoutAlpn(EventLoopGroup group, X509Bundle cert) throws Exception {
        SslContext ssl = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                .sslProvider(SslProvider.JDK).build();
        return start(group, Mode.TLS, ssl);
    }

    private static TestServer start(EventLoopGroup group, Mode mode, SslContext ssl) throws Exception {
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        switch (mode) {
                            case HTTP1 -> http1(c.pipeline());
                            case H2C -> http2(c.pipeline());
                            case TLS -> {
                                c.pipeline().addLast(ssl.newHandler(c.alloc()));
                                c.pipeline().addLast(new ApplicationProtocolNegotiationHandler(
                                        ApplicationProtocolNames.HTTP_1_1) {
                                    @Override
                                    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                        if (protocol.equals(ApplicationProtocolNames.HTTP_2)) {
                                            http2(ctx.pipeline());
                                        } else {
                                            http1(ctx.pipeline());
                                        }
                                    }
                                });
                            }
                        }
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return new TestServer(ch, mode == Mode.TLS ? "https" : "http");
    }

    private static void http1(ChannelPipeline p) {
        p.addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Routes());
    }

    private static void http2(ChannelPipeline p) {
        p.addLast(Http2FrameCodecBuilder.forServer().build());
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                        new HttpObjectAggregator(1 << 20), new Routes());
            }
        }));
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** A URL on this server with {@code host} (e.g. {@code 127.0.0.1} or {@code localhost}). */
    String url(String host, String path) {
        return scheme + "://" + host + ":" + port() + path;
    }

    String url(String path) {
        return url("127.0.0.1", path);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder uri = new QueryStringDecoder(req.uri());
            String[] parts = uri.path().split("/");
            String route = parts.length > 1 ? parts[1] : "";
            String arg = parts.length > 2 ? parts[2] : "";
            switch (route) {
                case "ok" -> {
                    FullHttpResponse r = response(HttpResponseStatus.OK, "hello vantage");
                    r.headers().set("X-Test", "yes");
                    r.headers().set(HttpHeaderNames.SET_COOKIE, "session=server-secret");
                    send(ctx, req, r);
                }
                case "redirect" -> {
                    int left = Integer.parseInt(arg);
                    if (left == 0) {
                        send(ctx, req, response(HttpResponseStatus.OK, "landed"));
                    } else {
                        send(ctx, req, redirect("/redirect/" + (left - 1)));
                    }
                }
                case "to" -> send(ctx, req, redirect(uri.parameters().get("url").get(0)));
                case "slowto" -> ctx.executor().schedule(
                        () -> send(ctx, req, redirect(uri.parameters().get("url").get(0))),
                        Long.parseLong(arg), TimeUnit.MILLISECONDS);
                case "delay" -> {
                    long received = System.nanoTime();
                    ctx.executor().schedule(() -> {
                        FullHttpResponse r = response(HttpResponseStatus.OK, "late");
                        // how late the answer really is, so that a test can tell scheduling noise from probe error
                        r.headers().set("X-Delay-Nanos", System.nanoTime() - received);
                        send(ctx, req, r);
                    }, Long.parseLong(arg), TimeUnit.MILLISECONDS);
                }
                case "status" -> send(ctx, req, response(HttpResponseStatus.valueOf(Integer.parseInt(arg)), "status"));
                case "big" -> send(ctx, req, response(HttpResponseStatus.OK, "x".repeat(Integer.parseInt(arg))));
                case "echo" -> {
                    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
                    String expected = "Bearer s3cret-token";
                    String body = req.method() + " auth=" + (auth == null ? "none" : auth.equals(expected) ? "ok" : "bad")
                            + " body=" + req.content().toString(StandardCharsets.UTF_8);
                    send(ctx, req, response(HttpResponseStatus.OK, body));
                }
                case "close" -> {
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 100);
                    ctx.write(head);
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("0123456789", StandardCharsets.US_ASCII)))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                default -> send(ctx, req, response(HttpResponseStatus.NOT_FOUND, "no route"));
            }
        }

        private static FullHttpResponse response(HttpResponseStatus status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return r;
        }

        private static FullHttpResponse redirect(String location) {
            FullHttpResponse r = response(HttpResponseStatus.FOUND, "moved");
            r.headers().set(HttpHeaderNames.LOCATION, location);
            return r;
        }

        private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
            if (ctx.channel() instanceof Http2StreamChannel || HttpUtil.isKeepAlive(req)) {
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
