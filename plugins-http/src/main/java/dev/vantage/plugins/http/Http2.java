package dev.vantage.plugins.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** HTTP/2 on a connection: opens one stream, writes the request on it and feeds the response to the exchange. */
final class Http2 {
    /** Connection-specific headers that HTTP/2 forbids (RFC 9113, section 8.2.2). */
    private static final Set<String> CONNECTION_HEADERS =
            Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host");

    private Http2() {
    }

    static void send(Channel ch, Exchange.Request request, Exchange exchange) {
        ChannelPipeline p = ch.pipeline();
        p.addBefore(Exchange.CONNECTION_HANDLER, "vantage-http2", Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                .build());
        // the handler for streams the server opens; with push disabled there are none
        p.addBefore(Exchange.CONNECTION_HANDLER, "vantage-http2-streams",
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));

        new Http2StreamChannelBootstrap(ch).handler(new StreamHandler(ch, exchange)).open().addListener(opened -> {
            if (opened.isSuccess()) {
                write((Http2StreamChannel) opened.getNow(), request, ch, exchange);
            } else {
                exchange.fail(ch, opened.cause());
            }
        });
    }

    private static void write(Http2StreamChannel stream, Exchange.Request request, Channel ch, Exchange exchange) {
        Http2Headers headers = new DefaultHttp2Headers()
                .method(request.method())
                .scheme(request.scheme())
                .authority(request.authority())
                .path(request.path());
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("host")) {
                headers.authority(h.getValue());
            } else if (!CONNECTION_HEADERS.contains(name)) {
                headers.set(name, h.getValue());
            }
        }
        byte[] body = request.body();
        ChannelFuture written;
        if (body == null || body.length == 0) {
            written = stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        } else {
            stream.write(new DefaultHttp2HeadersFrame(headers, false));
            written = stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
        }
        written.addListener(f -> {
            if (f.isSuccess()) {
                exchange.onWritten(ch);
            } else {
                exchange.fail(ch, f.cause());
            }
        });
    }

    /** Reads the response frames of our stream; reports to the exchange by the connection channel. */
    private static final class StreamHandler extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final Channel connection;
        private final Exchange exchange;
        private boolean headReceived;

        StreamHandler(Channel connection, Exchange exchange) {
            this.connection = connection;
            this.exchange = exchange;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            exchange.onFirstByte(connection);
            boolean end = false;
            if (frame instanceof Http2HeadersFrame headersFrame) {
                end = headersFrame.isEndStream();
                if (!headReceived) {
                    CharSequence status = headersFrame.headers().status();
                    int code = status == null ? -1 : parseStatus(status);
                    if (code < 100 || code > 999) {
                        exchange.failProtocol(connection, "HTTP/2 response without a valid :status");
                        return;
                    }
                    if (code >= 200) { // a 1xx is informational: the real response follows
                        headReceived = true;
                        exchange.onResponseHead(connection, code, "HTTP/2",
                                headersFrame.headers().iterator());
                    }
                }
            } else if (frame instanceof Http2DataFrame data) {
                end = data.isEndStream();
                exchange.onBody(connection, data.content());
            }
            if (end) {
                exchange.onEnd(connection);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof Http2ResetFrame reset) {
                exchange.failProtocol(connection, "the server reset the HTTP/2 stream ("
                        + Http2Error.valueOf(reset.errorCode()) + ")");
            }
            ReferenceCountUtil.release(event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            exchange.failProtocol(connection, "the HTTP/2 stream closed before the response was complete");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exchange.fail(connection, cause);
        }

        private static int parseStatus(CharSequence status) {
            try {
                return Integer.parseInt(status.toString());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
