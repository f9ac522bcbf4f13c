package dev.vantage.server.errors;

/** No such thing (or none the caller may see: someone else's token is "not found", not "forbidden"). */
public final class NotFoundException extends DomainException {
    private static final long serialVersionUID = 1L;

    /**
     * @param what the kind of thing, e.g. {@code "task"}: the message is "task not found", code
     *             {@code notFound.task} ({@code alert rule}: {@code notFound.alert_rule})
     */
    public NotFoundException(String what) {
        super(Message.ofOr("notFound." + what.replace(' ', '_'), what + " not found"));
    }
}
