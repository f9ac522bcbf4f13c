package dev.vantage.server.errors;

import java.text.MessageFormat;
import java.util.Arrays;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.function.Function;

/**
 * A text for a client, told in its language when the problem body is written: a code of {@code Messages.properties}
 * (translations in {@code Messages_zh.properties}) with its arguments, each a value or a message of its own; or a
 * text made elsewhere that knows its languages (the engine's problems). {@link #toString()} is the English text.
 */
public final class Message {
    private static final String BUNDLE = "dev.vantage.server.errors.Messages";

    private final Function<Locale, String> text;

    private Message(Function<Locale, String> text) {
        this.text = text;
    }

    /** The message {@code code} with {@code args}: values (shown as {@link String#valueOf}) or messages. */
    public static Message of(String code, Object... args) {
        Object[] copy = args.clone();
        return new Message(locale -> format(code, copy, locale));
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
        return new Message(locale -> text);
    }

    /** A text that knows its own languages. */
    public static Message localized(Function<Locale, String> text) {
        return new Message(text);
    }

    /** This message in {@code locale} (English where it has no translation). */
    public String in(Locale locale) {
        return text.apply(locale);
    }

    @Override
    public String toString() {
        return in(Locale.ROOT);
    }

    private static String format(String code, Object[] args, Locale locale) {
        Object[] values = Arrays.stream(args).map(a -> a instanceof Message m ? m.in(locale) : String.valueOf(a))
                .toArray();
        return format(BUNDLE, code, values, locale);
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
