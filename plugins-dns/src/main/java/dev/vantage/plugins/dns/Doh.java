package dev.vantage.plugins.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One DNS-over-HTTPS exchange (RFC 8484, POST, HTTP/1.1) on a connection the probe has opened: Netty's HTTP codec
 * encodes the request and parses the response, run without an event loop on the attempt's own thread, so the
 * probe keeps its blocking sockets, its phases and its address checks.
 */
final class Doh {
    static final String MEDIA_TYPE = "application/dns-message";
    private static final int MAX_RESPONSE = 65_535 + 16_384; // a DNS message at most, plus headers

    /** What came back: the status, and the body if it is a DNS message. */
    record Response(int status, String contentType, byte[] body) {
    }

    private Doh() {
    }

    /**
     * Writes the request and reads until the response is complete.
     *
     * @throws IOException from the socket, or if the connection closed before a complete response
     */
    static Response exchange(Endpoint url, byte[] query, InputStream in, OutputStream out) throws IOException {
        EmbeddedChannel http = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE));
        try {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, url.path(),
                    Unpooled.wrappedBuffer(query));
            request.headers().set(HttpHeaderNames.HOST, url.authority())
                    .set(HttpHeaderNames.CONTENT_TYPE, MEDIA_TYPE)
                    .set(HttpHeaderNames.ACCEPT, MEDIA_TYPE)
                    .set(HttpHeaderNames.CONTENT_LENGTH, query.length)
                    .set(HttpHeaderNames.USER_AGENT, "Vantage-Probe/0.1")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            http.writeOutbound(request);
            for (ByteBuf chunk; (chunk = http.readOutbound()) != null; ) {
                try {
                    out.write(ByteBufUtil.getBytes(chunk));
                } finally {
                    chunk.release();
                }
            }
            out.flush();

            byte[] buffer = new byte[16_384];
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    http.finish(); // the end of a body that runs to the close
                } else {
                    http.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
                }
                Object message = http.readInbound();
                if (message instanceof FullHttpResponse response) {
                    try {
                        if (response.decoderResult().isFailure()) {
                            throw new IOException("malformed HTTP response: " + response.decoderResult().cause());
                        }
                        return new Response(response.status().code(),
                                response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                                ByteBufUtil.getBytes(response.content()));
                    } finally {
                        response.release();
                    }
                }
                if (n < 0) {
                    throw new IOException("the server closed the connection before the response was complete");
                }
            }
        } finally {
            http.finishAndReleaseAll();
        }
    }
}
