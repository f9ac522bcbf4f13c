package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Feishu (Lark) group robot: a rich-text "post" message to its webhook URL (whose path carries the robot's token).
 * With a signing secret, Feishu's recipe: body fields {@code timestamp} (seconds) and {@code sign} =
 * Base64(HmacSHA256(key = timestamp + "\n" + secret, message = nothing)). People are mentioned by user id (open_id
 * or user_id) with {@code at} elements, the rich-text form of {@code <at user_id="...">}.
 */
final class Feishu implements ChannelType {

    @Override
    public String id() {
        return "feishu";
    }

    @Override
    public Set<String> secretFields() {
        return Set.of("url", "secret");
    }

    @Override
    public Channel create(ObjectNode settings, ChannelContext context) {
        Settings s = Settings.of(settings, "url", "secret", "atUserIds");
        URI url = s.requiredUrl("url");
        String secret = s.optionalString("secret", Settings.MAX_SECRET);
        List<String> userIds = s.stringList("atUserIds", false);
        s.check();
        HttpPoster poster = new HttpPoster(url, context.outbound(), secret);
        Messages messages = Messages.of(context);
        String language = messages.language().equals("zh") ? "zh_cn" : "en_us";
        return n -> {
            Messages.Message m = messages.render(n);
            ObjectNode body = JsonMapping.MAPPER.createObjectNode();
            if (secret != null) {
                long seconds = context.clock().instant().getEpochSecond();
                body.put("timestamp", Long.toString(seconds));
                body.put("sign", Hmac.base64(Hmac.sha256(seconds + "\n" + secret, new byte[0])));
            }
            body.put("msg_type", "post");
            ObjectNode post = body.putObject("content").putObject("post").putObject(language);
            post.put("title", m.title());
            ArrayNode paragraphs = post.putArray("content");
            for (String line : m.text().split("\n")) {
                paragraphs.addArray().addObject().put("tag", "text").put("text", line);
            }
            if (!userIds.isEmpty()) {
                ArrayNode mentions = paragraphs.addArray();
                userIds.forEach(id -> mentions.addObject().put("tag", "at").put("user_id", id));
            }
            return poster.post(url, JsonMapping.bytes(body), Map.of()).requireZero("code", "msg");
        };
    }
}
