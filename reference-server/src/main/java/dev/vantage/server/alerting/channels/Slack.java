package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * A Slack incoming webhook (its URL is its token): the message as {@code text}, which Slack reads as its own
 * mrkdwn, so {@code & < >} are escaped as Slack asks; Slack turns the incident URL into a link by itself.
 */
final class Slack implements ChannelType {

    @Override
    public String id() {
        return "slack";
    }

    @Override
    public Set<String> secretFields() {
        return Set.of("url");
    }

    @Override
    public Channel create(ObjectNode settings, ChannelContext context) {
        Settings s = Settings.of(settings, "url");
        URI url = s.requiredUrl("url");
        s.check();
        HttpPoster poster = new HttpPoster(url, context.outbound());
        Messages messages = Messages.of(context);
        return n -> {
            Messages.Message m = messages.render(n);
            String text = "*" + escape(m.title()) + "*\n" + escape(m.text());
            ObjectNode body = JsonMapping.MAPPER.createObjectNode().put("text", text);
            return poster.post(url, JsonMapping.bytes(body), Map.of()).delivery();
        };
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
