package dev.vantage.server.errors;

import java.util.List;

/** The input is wrong: every bad field with its reason, or (with no fields) a request that makes no sense. */
public final class InvalidInputException extends DomainException {
    private static final long serialVersionUID = 1L;

    private final transient List<FieldError> errors;

    /** Names every bad field. */
    public InvalidInputException(List<FieldError> errors) {
        super(errors.size() == 1 ? Message.of("invalid.one") : Message.of("invalid.many", errors.size()));
        this.errors = List.copyOf(errors);
    }

    public InvalidInputException(FieldError error) {
        this(List.of(error));
    }

    /** A request that is wrong as a whole, not in one field. */
    public InvalidInputException(Message detail) {
        super(detail);
        this.errors = List.of();
    }

    public List<FieldError> errors() {
        return errors;
    }
}
