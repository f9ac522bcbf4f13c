package dev.vantage.server.alerting.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.errors.Message;
import dev.vantage.server.json.JsonMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What people are told of an alert, in any language: a message code of {@code Summaries.properties} (and its
 * translations) with its arguments, each a value (a figure, an id, a duration, already formatted) or a summary of its
 * own. Stored as JSON beside its English text, and told in each reader's language: the API's caller, the channel's.
 * Text that people wrote (a note) is a summary too, the same in every language ({@link #text}).
 */
public record Summary(String code, List<Object> args) {
    private static final String BUNDLE = "dev.vantage.server.alerting.evaluation.Summaries";
    private static final String TEXT = "text";

    public Summary {
        for (Object a : args) {
            if (!(a instanceof String || a instanceof Summary)) {
                throw new IllegalArgumentException("a summary's arguments are strings or summaries, not " + a);
            }
        }
        args = List.copyOf(args);
    }

    /** The message {@code code} with {@code args}: strings, numbers (shown as {@link String#valueOf}) or summaries. */
    public static Summary of(String code, Object... args) {
        List<Object> out = new ArrayList<>(args.length);
        for (Object a : args) {
            out.add(a instanceof Summary ? a : String.valueOf(a));
        }
        return new Summary(code, out);
    }

    /** Text shown as it is in every language: what a person wrote, or a summary stored before summaries had codes. */
    public static Summary text(String text) {
        return new Summary(TEXT, List.of(text));
    }

    /** This summary in {@code locale} (English where it has no translation). */
    public String in(Locale locale) {
        Object[] values = args.stream().map(a -> a instanceof Summary s ? s.in(locale) : a).toArray();
        if (code.equals(TEXT)) {
            return (String) values[0];
        }
        try {
            return Message.format(BUNDLE, code, values, locale);
        } catch (IllegalStateException e) {
            // stored by a version that had this code: still shown, if not in words
            return code + " " + String.join(" ", args.stream().map(String::valueOf).toList());
        }
    }

    /** In English: for logs, and for readers that do not say their language. */
    @Override
    public String toString() {
        return in(Locale.ROOT);
    }

    /** The stored form: {@code {"code": ..., "args": [...]}}. */
    public String toJson() {
        return JsonMapping.write(node());
    }

    private ObjectNode node() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("code", code);
        ArrayNode a = o.putArray("args");
        args.forEach(x -> {
            if (x instanceof Summary s) {
                a.add(s.node());
            } else {
                a.add((String) x);
            }
        });
        return o;
    }

    /** A summary from its stored form ({@link #toJson}). */
    public static Summary fromJson(String json) {
        return from(JsonMapping.parseStored(json));
    }

    private static Summary from(JsonNode n) {
        List<Object> args = new ArrayList<>();
        n.path("args").forEach(a -> args.add(a.isObject() ? from(a) : a.asText()));
        return new Summary(n.path("code").asText(TEXT), args);
    }
}
