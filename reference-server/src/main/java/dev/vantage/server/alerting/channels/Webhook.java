package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A generic webhook: the notification as a JSON object (see docs/alerting.md, "Channels"), signed when a secret is
 * set: {@code X-Vantage-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>} with the Unix seconds
 * of {@code X-Vantage-Timestamp}, so receivers can check who sent it and refuse replays.
 */
final class Webhook implements ChannelType {
    static final String TIMESTAMP_HEADER = "X-Vantage-Timestamp";
    static final String SIGNATURE_HEADER = "X-Vantage-Signature";

    @Override
    public String id() {
        return "webhook";
    }

    @Override
    public Set<String> secretFields() {
        return Set.of("secret");
    }

    @Override
    public Channel create(ObjectNode settings, ChannelContext context) {
        Settings s = Settings.of(settings, "url", "secret");
        URI url = s.requiredUrl("url");
        String secret = s.optionalString("secret", Settings.MAX_SECRET);
        s.check();
        HttpPoster poster = new HttpPoster(url, context.outbound(), secret);
        Messages messages = Messages.of(context);
        return n -> {
            byte[] body = JsonMapping.bytes(body(n, messages.render(n)));
            String timestamp = Long.toString(context.clock().instant().getEpochSecond());
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(TIMESTAMP_HEADER, timestamp);
            if (secret != null) {
                byte[] signed = (timestamp + ".").getBytes(StandardCharsets.UTF_8);
                byte[] message = new byte[signed.length + body.length];
                System.arraycopy(signed, 0, message, 0, signed.length);
                System.arraycopy(body, 0, message, signed.length, body.length);
                headers.put(SIGNATURE_HEADER, "sha256=" + HexFormat.of().formatHex(Hmac.sha256(secret, message)));
            }
            return poster.post(url, body, headers).delivery();
        };
    }

    /** The documented body, version 1: add fields, never rename or remove them. */
    private static ObjectNode body(Notification n, Messages.Message m) {
        ObjectNode o = JsonMapping.MAPPER.createObjectNode();
        o.put("version", 1);
        o.put("kind", n.kind().name().toLowerCase(Locale.ROOT));
        o.put("incidentId", n.incidentId());
        o.put("rule", n.ruleName());
        o.put("task", n.taskName());
        o.put("target", n.target());
        o.put("at", n.at().toString());
        o.put("summary", n.summary());
        n.badAgents().forEach(o.putArray("badAgents")::add);
        o.put("link", n.link() == null ? null : n.link().toString());
        o.put("title", m.title());
        o.put("text", m.text());
        return o;
    }
}
