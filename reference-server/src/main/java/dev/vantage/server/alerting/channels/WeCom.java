package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A WeCom (WeChat Work) group robot, at its webhook URL (which carries the robot's key). A markdown message, with
 * people mentioned as {@code <@userid>}; WeCom mentions by phone number only in text messages, so with
 * {@code atMobiles} set the message is plain text with {@code mentioned_list} and {@code mentioned_mobile_list}.
 */
final class WeCom implements ChannelType {

    @Override
    public String id() {
        return "wecom";
    }

    @Override
    public Set<String> secretFields() {
        return Set.of("url");
    }

    @Override
    public Channel create(ObjectNode settings, ChannelContext context) {
        Settings s = Settings.of(settings, "url", "atUserIds", "atMobiles");
        URI url = s.requiredUrl("url");
        List<String> userIds = s.stringList("atUserIds", false);
        List<String> mobiles = s.stringList("atMobiles", false);
        s.check();
        HttpPoster poster = new HttpPoster(url, context.outbound());
        Messages messages = Messages.of(context);
        return n -> {
            Messages.Message m = messages.render(n);
            ObjectNode body = JsonMapping.MAPPER.createObjectNode();
            if (mobiles.isEmpty()) {
                String mentions = userIds.stream().map(id -> "<@" + id + ">").collect(Collectors.joining(" "));
                body.put("msgtype", "markdown").putObject("markdown")
                        .put("content", mentions.isEmpty() ? m.markdown() : m.markdown() + "\n" + mentions);
            } else {
                ObjectNode text = body.put("msgtype", "text").putObject("text")
                        .put("content", m.title() + "\n" + m.text());
                userIds.forEach(text.putArray("mentioned_list")::add);
                mobiles.forEach(text.putArray("mentioned_mobile_list")::add);
            }
            return poster.post(url, JsonMapping.bytes(body), Map.of()).requireZero("errcode", "errmsg");
        };
    }
}
