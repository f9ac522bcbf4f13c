package dev.vantage.server.http;

import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.DomainException;
import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.errors.RateLimitedException;
import dev.vantage.server.json.JsonMapping;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Writes errors as RFC 9457 {@code application/problem+json}: {@code type}, {@code title}, {@code status},
 * {@code detail}, and {@code errors} [{field, message}] for invalid input. Unexpected exceptions become a generic
 * 500 whose detail carries only an incident id; the exception itself goes to the server log under that id.
 */
public final class Problems {
    public static final String MEDIA_TYPE = "application/problem+json";
    /** The problem type of a 400 with field errors. */
    public static final String INVALID_REQUEST = "urn:vantage:problem:invalid-request";
    private static final System.Logger LOG = System.getLogger(Problems.class.getName());

    private Problems() {
    }

    /** Sends the problem for {@code error}, unless a response was already sent (then the error is only logged). */
    public static void send(ServerRequest req, ServerResponse res, Throwable error) {
        if (res.isSent()) {
            LOG.log(System.Logger.Level.WARNING, "error after the response was sent: "
                    + req.prologue().method().text() + " " + req.path().path(), error);
            return;
        }
        switch (error) {
            case DomainException e -> send(res, e, Languages.of(req, res, Languages.SERVER));
            case ApiException e -> send(res, e.status(), e.detail().in(Languages.of(req, res, Languages.SERVER)));
            case HttpException e -> send(res, e.status(), null); // Helidon's own: body too large, bad encoding
            case RequestException e -> send(res, e.status(), null);
            case dev.vantage.server.db.DatabaseException e when e.isUnavailable() -> {
                // an outage, not a bug: a short warning without the driver's text, and a hint to come back
                LOG.log(System.Logger.Level.WARNING, req.prologue().method().text() + " " + req.path().path()
                        + ": database unavailable (" + e.sqlState() + ")");
                res.header(HeaderNames.RETRY_AFTER, "5");
                send(res, Status.SERVICE_UNAVAILABLE_503,
                        Message.of("http.databaseUnavailable").in(Languages.of(req, res, Languages.SERVER)));
            }
            default -> {
                String incident = UUID.randomUUID().toString();
                LOG.log(System.Logger.Level.ERROR, "incident " + incident + ": "
                        + req.prologue().method().text() + " " + req.path().path() + " failed", error);
                send(res, Status.INTERNAL_SERVER_ERROR_500,
                        Message.of("http.internal", incident).in(Languages.of(req, res, Languages.SERVER)));
            }
        }
    }

    /**
     * The one mapping of domain outcomes to HTTP statuses; the detail and the field errors are told in
     * {@code locale}.
     */
    public static void send(ServerResponse res, DomainException e, Locale locale) {
        Status status = switch (e) {
            case InvalidInputException x -> Status.BAD_REQUEST_400;
            case NotAuthenticatedException x -> {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
                yield Status.UNAUTHORIZED_401;
            }
            case ForbiddenException x -> Status.FORBIDDEN_403;
            case NotFoundException x -> Status.NOT_FOUND_404;
            case ConflictException x -> Status.CONFLICT_409;
            case RateLimitedException x -> {
                res.header(HeaderNames.RETRY_AFTER, Long.toString(x.retryAfterSeconds()));
                yield Status.TOO_MANY_REQUESTS_429;
            }
        };
        List<Map<String, String>> errors = e instanceof InvalidInputException x
                ? x.errors().stream().map(f -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    m.put("field", f.field());
                    m.put("message", f.text().in(locale));
                    return m;
                }).toList()
                : List.of();
        write(res, status, e.detail().in(locale), errors);
    }

    public static void send(ServerResponse res, Status status, String detail) {
        write(res, status, detail, List.of());
    }

    private static void write(ServerResponse res, Status status, String detail, List<?> errors) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.send(body(status, detail, errors));
    }

    /** The problem body for a status, a detail ({@code null}: none) and field errors. */
    static byte[] body(Status status, String detail, List<?> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", errors.isEmpty() ? "about:blank" : INVALID_REQUEST);
        body.put("title", status.reasonPhrase());
        body.put("status", status.code());
        if (detail != null) {
            body.put("detail", detail);
        }
        if (!errors.isEmpty()) {
            body.put("errors", errors);
        }
        return JsonMapping.bytes(body);
    }
}
