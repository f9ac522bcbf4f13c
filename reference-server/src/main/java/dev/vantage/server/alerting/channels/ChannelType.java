package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * A kind of channel ({@code email}, {@code webhook}, {@code dingtalk}...): validates a channel's settings and makes the
 * {@link Channel}. One small class per kind; {@link ChannelTypes} lists them.
 */
public interface ChannelType {

    /** The name in the API: lower case, e.g. {@code dingtalk}. */
    String id();

    /**
     * Settings that are secrets (a signing secret, a password, a webhook URL that carries its token): never logged,
     * masked when a channel is read back through the API.
     */
    Set<String> secretFields();

    /**
     * Validates {@code settings} and makes the channel.
     *
     * @throws dev.vantage.server.errors.InvalidInputException naming every bad field as {@code settings.<name>}
     */
    Channel create(ObjectNode settings, ChannelContext context);
}
