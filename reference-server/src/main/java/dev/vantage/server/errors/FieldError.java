package dev.vantage.server.errors;

import java.util.Locale;

/**
 * One problem with one request field: {@code field} is a JSON path ({@code params.count}) or a query parameter; the
 * text is told in the client's language.
 */
public record FieldError(String field, Message text) {
    /** A problem worded by the message {@code code} of {@link Message} with {@code args}. */
    public static FieldError of(String field, String code, Object... args) {
        return new FieldError(field, Message.of(code, args));
    }

    /** The problem in English. */
    public String message() {
        return text.in(Locale.ROOT);
    }

    /** The same problem under {@code prefix + field}. */
    public FieldError under(String prefix) {
        return new FieldError(prefix + field, text);
    }
}
