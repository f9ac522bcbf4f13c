package dev.vantage.server.alerting.channels;

/**
 * A configured place notifications go to (an SMTP mailbox, a webhook, a DingTalk robot...). Made by its
 * {@link ChannelType} from validated settings; thread-safe; sends one notification per call, synchronously (callers
 * run it on a virtual thread), with its own timeouts.
 */
public interface Channel {

    /**
     * Delivers one notification.
     *
     * @return what the receiver answered, for the delivery log
     * @throws DeliveryException when it was not delivered; {@link DeliveryException#retryable()} says whether trying
     *                           again later may help
     */
    Delivery send(Notification notification) throws DeliveryException;

    /** What the receiver answered to a delivered notification (an HTTP status, an SMTP reply), for the delivery log. */
    record Delivery(int code, String response) {
        public Delivery {
            response = response == null ? "" : response.length() > 500 ? response.substring(0, 500) : response;
        }
    }
}
