package dev.vantage.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Bytes sent with an entity tag, and a 304 without a body to a reader that already has them. */
public final class Revalidation {
    private Revalidation() {
    }

    /** A strong entity tag of {@code bytes} (their SHA-256, shortened). */
    public static String etag(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(hash, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Sends {@code bytes}, or 304 (no entity: Helidon refuses one) when {@code If-None-Match} names {@code etag}. */
    public static void send(ServerRequest req, ServerResponse res, byte[] bytes, String type, String etag,
                            String cacheControl) {
        res.header(HeaderNames.CACHE_CONTROL, cacheControl);
        res.header(HeaderNames.ETAG, etag);
        if (req.headers().value(HeaderNames.IF_NONE_MATCH).map(v -> v.contains(etag)).orElse(false)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.send(bytes);
    }
}
