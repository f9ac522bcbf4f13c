package dev.vantage.plugins.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;

/** HTTP/1.1 on a connection: writes one request and feeds the response to the exchange. */
final class Http1 {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 64 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private Http1() {
    }

    /** Adds the HTTP/1.1 handlers in front of the exchange's connection handler. */
    static void prepare(ChannelPipeline p, Exchange exchange) {
        p.addBefore(Exchange.CONNECTION_HANDLER, "vantage-first-byte", new FirstByte(exchange));
        p.addBefore(Exchange.CONNECTION_HANDLER, "vantage-http1",
                new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE));
        p.addBefore(Exchange.CONNECTION_HANDLER, "vantage-response", new ResponseHandler(exchange));
    }

    /**
     * Encodes the request into the outbound buffer of a connection {@link #prepare prepared} for HTTP/1.1; the
     * caller flushes it. The exchange hears when it has been written.
     */
    static void queue(Channel ch, Exchange.Request request, Exchange exchange) {
        byte[] body = request.body();
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()),
                request.path(), body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, request.authority());
        for (Map.Entry<String, String> h : request.headers()) {
            r.headers().set(h.getKey(), h.getValue());
        }
        // the server closes first, so its side, not the probing agent's, holds the TIME_WAIT port
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (body != null || request.method().equals("POST") || request.method().equals("PUT")
                || request.method().equals("PATCH")) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
        }
        ch.write(r).addListener(f -> {
            if (f.isSuccess()) {
                exchange.onWritten(ch);
            } else {
                exchange.fail(ch, f.cause());
            }
        });
    }

    /** Tells the exchange when the first response bytes come off the socket (or TLS), before any decoding. */
    private static final class FirstByte extends ChannelInboundHandlerAdapter {
        private final Exchange exchange;

        FirstByte(Exchange exchange) {
            this.exchange = exchange;
        }

        private boolean seen;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!seen) { // a flag rather than leaving the pipeline: removing a handler costs more than it saves
                seen = true;
                exchange.onFirstByte(ctx.channel());
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Exchange exchange;
        private boolean informational;

        ResponseHandler(Exchange exchange) {
            this.exchange = exchange;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            Channel ch = ctx.channel();
            if (msg.decoderResult().isFailure()) {
                Throwable cause = msg.decoderResult().cause();
                exchange.failProtocol(ch, "malformed HTTP/1 response: " + cause.getMessage());
                return;
            }
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                // a 1xx (100 Continue, 103 Early Hints) precedes the real response
                informational = code >= 100 && code < 200 && code != 101;
                if (!informational) {
                    exchange.onResponseHead(ch, code, response.protocolVersion().text(),
                            response.headers().iteratorCharSequence());
                }
            }
            if (msg instanceof HttpContent content && !informational) {
                exchange.onBody(ch, content.content());
            }
            if (msg instanceof LastHttpContent) {
                if (!informational) {
                    exchange.onEnd(ch);
                }
                informational = false;
            }
        }
    }
}
