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
     * @throws IllegalArgumentException with a message naming the line and column, free of parser internals
     */
    static JsonNode read(String json) {
        try (JsonParser p = MAPPER.createParser(json)) {
            JsonNode node = MAPPER.readTree(p);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("the input is empty");
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("unexpected content after the end of the JSON value"
                        + at(p.currentTokenLocation()));
            }
            return node;
        } catch (JsonProcessingException e) {
            String message = Objects.toString(e.getOriginalMessage(), "malformed input");
            throw new IllegalArgumentException(SOURCE.matcher(message).replaceAll("line $1, column $2") + at(e.getLocation()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String does no I/O
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

    private static String at(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
