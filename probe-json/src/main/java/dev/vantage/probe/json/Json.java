package dev.vantage.probe.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.regex.Pattern;

/** The one place the JSON mapper is configured, shared by {@link TaskSpecJson} and {@link ResultJson}. */
final class Json {
    // a duplicate key is a mistake to report, not to resolve silently by "last one wins"
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    // Jackson puts "[Source: REDACTED (...); line: 1, column: 6]" into some messages: keep only the position
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)]");

    private Json() {
    }

    /**
     * Reads exactly one JSON value: nothing but whitespace may follow it.
     *
     * @throws Malformed with a message naming the line and column, free of parser internals
     */
    static JsonNode read(String json) {
        try (JsonParser p = MAPPER.createParser(json)) {
            JsonNode node = MAPPER.readTree(p);
            if (node == null || node.isMissingNode()) {
                throw new Malformed("taskJson.empty");
            }
            if (p.nextToken() != null) {
                JsonLocation loc = p.currentTokenLocation();
                throw new Malformed("taskJson.trailing", loc.getLineNr(), loc.getColumnNr());
            }
            return node;
        } catch (JsonProcessingException e) {
            // the parser's own words are kept as data; where they are is told in the reader's words
            String message = SOURCE.matcher(Objects.toString(e.getOriginalMessage(), "malformed input"))
                    .replaceAll("line $1, column $2");
            JsonLocation loc = e.getLocation();
            throw loc == null || loc.getLineNr() < 1 ? new Malformed("taskJson.invalid", message)
                    : new Malformed("taskJson.invalidAt", message, loc.getLineNr(), loc.getColumnNr());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String does no I/O
        }
    }

    /**
     * Text that is not one JSON value: a message code of {@link TaskSpecJson}'s texts with its arguments, so that
     * a task's problem can be told in other languages; the message is its English text.
     */
    static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        final String code;
        final transient Object[] args;

        Malformed(String code, Object... args) {
            super(TaskSpecJson.TEXTS.english(code, args));
            this.code = code;
            this.args = args;
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of plain nodes always serializes
        }
    }

    /** What a node is, for messages; never the value itself, which might be a secret. */
    static String kind(JsonNode node) {
        return TaskSpecJson.TEXTS.english("kind." + type(node));
    }

    /** The JSON type of a node ({@code string}, {@code array} ...; {@code nothing} when it is missing). */
    static String type(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> "other"; // binary or Java objects: never in parsed text
        };
    }
}
