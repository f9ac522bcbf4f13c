package dev.vantage.server.alerting.channels;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every kind of channel the server can send to, by id. */
public final class ChannelTypes {
    private static final List<ChannelType> ALL = List.of(new Email(), new Webhook(), new DingTalk(), new Feishu(),
            new WeCom(), new Slack(), new Telegram());
    private static final Map<String, ChannelType> BY_ID = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(ChannelType::id, Function.identity()));

    private ChannelTypes() {
    }

    public static List<ChannelType> all() {
        return ALL;
    }

    public static Optional<ChannelType> byId(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }
}
