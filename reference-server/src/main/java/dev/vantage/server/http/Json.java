package dev.vantage.server.http;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.FieldError;
import static dev.vantage.server.json.JsonMapping.MAPPER;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.json.JsonMapping;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/** Reading request bodies and writing JSON responses, with the server's one mapper ({@link JsonMapping}). */
public final class Json {

    private Json() {
    }

    /**
     * The request body as a JSON object.
     *
     * @throws InvalidInputException for an empty body, malformed JSON or anything but an object
     * @throws ApiException          415 for a body that is declared as something other than JSON
     */
    public static ObjectNode readObject(ServerRequest req) {
        JsonNode node = read(req);
        if (!node.isObject()) {
            throw new InvalidInputException(FieldError.of("$", "json.notObject"));
        }
        return (ObjectNode) node;
    }

    /** The request body as any JSON value; same errors as {@link #readObject}. */
    public static JsonNode read(ServerRequest req) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("application/json").toLowerCase(Locale.ROOT);
        if (!type.startsWith("application/json") && !type.matches("application/[a-z0-9.+-]*\\+json.*")) {
            throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, Message.of("http.mediaType"));
        }
        String body = req.content().hasEntity() ? req.content().as(String.class) : "";
        if (body.isBlank()) {
            throw new InvalidInputException(FieldError.of("$", "json.empty"));
        }
        try (JsonParser p = MAPPER.createParser(body)) {
            JsonNode node = MAPPER.readTree(p);
            if (p.nextToken() != null) {
                throw new InvalidInputException(FieldError.of("$", "json.trailing"));
            }
            return node;
        } catch (JsonProcessingException e) {
            // the parser's own words (quoted as data) and position, without the echo of the input it sometimes adds
            String message = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
            int cut = message.indexOf("\n");
            message = cut < 0 ? message : message.substring(0, cut);
            var loc = e.getLocation();
            throw new InvalidInputException(loc == null ? FieldError.of("$", "json.invalid", message)
                    : FieldError.of("$", "json.invalidAt", message, loc.getLineNr(), loc.getColumnNr()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code body} (a record, map, list or tree) as {@code application/json}. */
    public static void send(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(JsonMapping.bytes(body));
    }

    public static void send(ServerResponse res, Object body) {
        send(res, Status.OK_200, body);
    }
}
