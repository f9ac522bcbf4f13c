package dev.vantage.server.errors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.function.Function;

/**
 * A text for a client, told in its language when the problem body is written: a code of {@code Messages.properties}
 * (translations in {@code Messages_zh.properties}) with its arguments, each a value or a message of its own; or a
 * text made elsewhere that knows its languages (the engine's problems). {@link #toString()} is the English text.
 * A message kept for later (a delivery's failure) is stored as {@link #toJson()} and told in each reader's language.
 */
public final class Message {
    /** The languages the server's texts are written in; English, the first, where a reader asks for another. */
    public static final List<Locale> LANGUAGES = List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE);

    private static final String BUNDLE = "dev.vantage.server.errors.Messages";

    /** The bundle's code, or {@code null} for a text of its own ({@link #text}, {@link #localized}). */
    private final String code;
    /** The code's arguments: strings and messages. */
    private final List<Object> args;
    private final Function<Locale, String> own;

    private Message(String code, List<Object> args, Function<Locale, String> own) {
        this.code = code;
        this.args = args;
        this.own = own;
    }

    /** The message {@code code} with {@code args}: values (shown as {@link String#valueOf}) or messages. */
    public static Message of(String code, Object... args) {
        return new Message(code, Arrays.stream(args).map(a -> a instanceof Message ? a : String.valueOf(a)).toList(),
                null);
    }

    /**
     * The message {@code code} if the bundle has it, else {@code text} in every language: for codes made from data
     * (a kind of thing), where a missing text must not turn an answer into a 500.
     */
    public static Message ofOr(String code, String text) {
        return has(code) ? of(code) : text(text);
    }

    private static boolean has(String code) {
        try {
            ResourceBundle.getBundle(BUNDLE, Locale.ROOT, ResourceBundle.Control.getNoFallbackControl(
                    ResourceBundle.Control.FORMAT_PROPERTIES)).getString(code);
            return true;
        } catch (MissingResourceException e) {
            return false;
        }
    }

    /** Text shown as it is in every language: a value (words a user reads get a code: {@link #of}). */
    public static Message text(String text) {
        return localized(locale -> text);
    }

    /** A text that knows its own languages. */
    public static Message localized(Function<Locale, String> text) {
        return new Message(null, List.of(), text);
    }

    /** This message in {@code locale} (English where it has no translation). */
    public String in(Locale locale) {
        if (code == null) {
            return own.apply(locale);
        }
        return format(BUNDLE, code, args.stream().map(a -> a instanceof Message m ? m.in(locale) : a).toArray(), locale);
    }

    @Override
    public String toString() {
        return in(Locale.ROOT);
    }

    /**
     * The stored form: {@code {"code": ..., "args": [...]}}, each argument a string or a message's stored form; a text
     * of its own as its words in each of {@link #LANGUAGES}: {@code {"texts": {"en": ..., "zh": ...}}}.
     */
    public String toJson() {
        return JsonMapping.write(node());
    }

    private ObjectNode node() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (code == null) {
            ObjectNode texts = o.putObject("texts");
            LANGUAGES.forEach(l -> texts.put(l.getLanguage(), own.apply(l)));
            return o;
        }
        o.put("code", code);
        ArrayNode a = o.putArray("args");
        args.forEach(x -> {
            if (x instanceof Message m) {
                a.add(m.node());
            } else {
                a.add((String) x);
            }
        });
        return o;
    }

    /**
     * A message from its stored form ({@link #toJson}), or {@code english} as it is if that names a code this version
     * has no text for (stored by another version): a stored text must not turn a read into a 500.
     */
    public static Message fromJson(String json, String english) {
        try {
            return from(JsonMapping.parseStored(json));
        } catch (MissingResourceException unknown) {
            return text(english);
        }
    }

    /**
     * A message kept as its English text and its stored form ({@link #toJson}) side by side: from the stored form if
     * there is one, else the English text as it is (a row from before the stored form); {@code null} if neither.
     */
    public static Message stored(String english, String json) {
        return json != null ? fromJson(json, english) : english == null ? null : text(english);
    }

    private static Message from(JsonNode n) {
        if (!n.has("code")) {
            Map<String, String> texts = new HashMap<>();
            n.path("texts").properties().forEach(e -> texts.put(e.getKey(), e.getValue().asText()));
            String english = texts.getOrDefault(LANGUAGES.getFirst().getLanguage(), "");
            return localized(locale -> texts.getOrDefault(locale.getLanguage(), english));
        }
        String code = n.get("code").asText();
        if (!has(code)) {
            throw new MissingResourceException("no message " + code, BUNDLE, code);
        }
        List<Object> args = new ArrayList<>();
        n.path("args").forEach(a -> args.add(a.isObject() ? from(a) : a.asText()));
        return new Message(code, List.copyOf(args), null);
    }

    /**
     * The pattern {@code code} of the properties bundle {@code bundle} in {@code locale} (English where it has no
     * translation), filled with {@code values}: the one way server texts are told in a language (these messages,
     * incident summaries).
     *
     * @throws IllegalStateException if the bundle has no such code
     */
    public static String format(String bundle, String code, Object[] values, Locale locale) {
        String pattern;
        try {
            pattern = ResourceBundle.getBundle(bundle, locale, ResourceBundle.Control.getNoFallbackControl(
                    ResourceBundle.Control.FORMAT_PROPERTIES)).getString(code);
        } catch (MissingResourceException e) {
            try {
                pattern = ResourceBundle.getBundle(bundle, Locale.ROOT, ResourceBundle.Control.getNoFallbackControl(
                        ResourceBundle.Control.FORMAT_PROPERTIES)).getString(code);
            } catch (MissingResourceException none) {
                throw new IllegalStateException("no message " + code, none); // a typo in a code: a bug, seen in tests
            }
        }
        return new MessageFormat(pattern, locale).format(values);
    }
}
