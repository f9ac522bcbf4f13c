package dev.vantage.server.errors;

/**
 * A model's refusal of one of its own fields ({@code condition.window}), naming the field and why in a
 * {@link Message}: the reader that built the model reports {@link #error()} as it is, with no parsing of texts.
 * An {@link IllegalArgumentException}, as a constructor's refusal of its arguments is; the message is the English
 * {@code <field> <text>}.
 */
public final class InvalidFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient FieldError error;

    /** The field {@code field} is wrong as the message {@code code} with {@code args} says. */
    public InvalidFieldException(String field, String code, Object... args) {
        this(FieldError.of(field, code, args));
    }

    private InvalidFieldException(FieldError error) {
        super(error.field() + " " + error.message());
        this.error = error;
    }

    public FieldError error() {
        return error;
    }
}
