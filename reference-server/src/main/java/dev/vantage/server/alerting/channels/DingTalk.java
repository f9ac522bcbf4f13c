package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A DingTalk group robot: a markdown message to its webhook URL (which carries the robot's access_token). With a
 * signing secret, DingTalk's recipe: query parameters {@code timestamp} (milliseconds) and {@code sign} =
 * URL-encoded Base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret)). People are mentioned by phone
 * number or user id, in {@code at} and, as DingTalk requires for markdown, as {@code @who} in the text.
 */
final class DingTalk implements ChannelType {

    @Override
    public String id() {
        return "dingtalk";
    }

    @Override
    public Set<String> secretFields() {
        return Set.of("url", "secret");
    }

    @Override
    public Channel create(ObjectNode settings, ChannelContext context) {
        Settings s = Settings.of(settings, "url", "secret", "atMobiles", "atUserIds");
        URI url = s.requiredUrl("url");
        String secret = s.optionalString("secret", Settings.MAX_SECRET);
        List<String> mobiles = s.stringList("atMobiles", false);
        List<String> userIds = s.stringList("atUserIds", false);
        s.check();
        HttpPoster poster = new HttpPoster(url, context.outbound(), secret);
        Messages messages = Messages.of(context);
        String mentions = Stream.concat(mobiles.stream(), userIds.stream()).map(w -> "@" + w)
                .collect(Collectors.joining(" "));
        return n -> {
            Messages.Message m = messages.render(n);
            ObjectNode body = JsonMapping.MAPPER.createObjectNode().put("msgtype", "markdown");
            body.putObject("markdown").put("title", m.title())
                    .put("text", mentions.isEmpty() ? m.markdown() : m.markdown() + "\n\n" + mentions);
            ObjectNode at = body.putObject("at");
            mobiles.forEach(at.putArray("atMobiles")::add);
            userIds.forEach(at.putArray("atUserIds")::add);
            at.put("isAtAll", false);
            return poster.post(signed(url, secret, context.clock().millis()), JsonMapping.bytes(body), Map.of())
                    .requireZero("errcode", "errmsg");
        };
    }

    private static URI signed(URI url, String secret, long millis) {
        if (secret == null) {
            return url;
        }
        String sign = Hmac.base64(Hmac.sha256(secret, millis + "\n" + secret));
        String query = "timestamp=" + millis + "&sign=" + URLEncoder.encode(sign, StandardCharsets.UTF_8);
        String s = url.toString();
        int hash = s.indexOf('#');
        String base = hash < 0 ? s : s.substring(0, hash);
        return URI.create(base + (url.getRawQuery() == null ? "?" : "&") + query);
    }
}
