package dev.vantage.server.http;

import dev.vantage.server.errors.Message;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import java.util.List;
import java.util.Locale;

/**
 * Errors Helidon answers before any route runs (headers over the limit, a declared body over
 * {@code server.max-body-bytes}, a malformed request line): problem+json like every other error, instead of an
 * empty body.
 */
public final class TransportProblems implements DirectHandler {
    // Helidon 4.5 passes neither the cause nor its message of a header overflow ("Header size exceeded"), and a
    // malformed header line looks the same (a parsed request line, no headers): 431 would be a guess, so both get a
    // 400 that names the two possibilities
    @Override
    public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                    ServerResponseHeaders headers, String message) {
        Message detail = null; // Helidon's own message may quote the request: never echoed
        if (status.code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
            detail = Message.of("http.bodyTooLarge");
        } else if (status.code() == Status.BAD_REQUEST_400.code() && !request.method().isEmpty() && request.headers().size() == 0) {
            detail = Message.of("http.headersMalformed");
        }
        // the headers were read when the body is too large: its language is known (with none, English)
        Locale locale = Languages.best(request.headers().first(HeaderNames.ACCEPT_LANGUAGE).orElse(null), Languages.SERVER);
        headers.set(HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE);
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(type.keepAlive())
                .entity(Problems.body(status, detail == null ? null : detail.in(locale), List.of()))
                .build();
    }
}
