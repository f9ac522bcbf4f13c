package dev.vantage.server.errors;

/**
 * A value parser's refusal, worded as a {@link Message} so it is told in the client's language:
 * {@code JsonInput.convert} reports it as the field's problem.
 */
public final class InvalidValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient Message text;

    public InvalidValueException(Message text) {
        super(text.toString());
        this.text = text;
    }

    public Message text() {
        return text;
    }
}
