package dev.vantage.server.alerting.channels;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Telegram bot: {@code sendMessage} to {@code <apiBase>/bot<botToken>/sendMessage} with the chat id, as plain
 * text (no parse mode, so nothing needs escaping); an answer without {@code "ok": true} is a failure.
 * {@code apiBase} defaults to {@code https://api.telegram.org} (a self-hosted Bot API server, or a test receiver).
 */
final class Telegram implements ChannelType {
    private static final Pattern TOKEN = Pattern.compile("[0-9]+:[A-Za-z0-9_-]+");

    @Override
    public String id() {
        return "telegram";
    }

    @Override
    public Set<String> secretFields() {
        return Set.of("botToken");
    }

    @Override
    public Channel create(ObjectNode settings, ChannelContext context) {
        Settings s = Settings.of(settings, "botToken", "chatId", "apiBase");
        String token = s.requiredString("botToken", Settings.MAX_SECRET);
        if (token != null && !TOKEN.matcher(token).matches()) {
            s.error("botToken", Message.of("telegram.token"));
        }
        String chatId = s.requiredString("chatId", 128);
        URI base = settings.hasNonNull("apiBase") ? s.requiredUrl("apiBase") : URI.create("https://api.telegram.org");
        if (base != null && (base.getRawQuery() != null || base.getRawFragment() != null)) {
            s.error("apiBase", Message.of("url.queryFragment"));
        }
        s.check();
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        URI endpoint = URI.create(root + "bot" + token + "/sendMessage");
        HttpPoster poster = new HttpPoster(endpoint, context.outbound(), token);
        Messages messages = Messages.of(context);
        return n -> {
            Messages.Message m = messages.render(n);
            ObjectNode body = JsonMapping.MAPPER.createObjectNode().put("chat_id", chatId)
                    .put("text", m.title() + "\n\n" + m.text()).put("disable_web_page_preview", true);
            HttpPoster.Answer answer = poster.post(endpoint, JsonMapping.bytes(body), Map.of());
            if (!answer.json().path("ok").asBoolean(false)) {
                JsonNode description = answer.json().path("description");
                throw new DeliveryException(description.isTextual() ? Message.of("delivery.rejected.text", description.textValue())
                        : Message.of("delivery.rejected.notOk"), answer.status(), false);
            }
            return answer.delivery();
        };
    }
}
