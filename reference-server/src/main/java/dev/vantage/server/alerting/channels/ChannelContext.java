package dev.vantage.server.alerting.channels;

import dev.vantage.probe.engine.AddressPolicy;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;

/**
 * What every channel is given besides its own settings.
 *
 * @param language the language of its messages ({@code zh} or {@code en})
 * @param outbound where it may connect: outgoing URLs are checked as probe targets are, on the resolved address,
 *                 so a channel cannot be pointed into the server's own network unless an admin allows it
 * @param clock     for signing timestamps
 * @param templates the channel's own wording, replacing some of its language's
 */
public record ChannelContext(Locale language, AddressPolicy outbound, Clock clock, Templates templates) {
    public ChannelContext {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(outbound, "outbound");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(templates, "templates");
    }

    /** With the built-in wording of {@code language}. */
    public ChannelContext(Locale language, AddressPolicy outbound, Clock clock) {
        this(language, outbound, clock, Templates.NONE);
    }
}
