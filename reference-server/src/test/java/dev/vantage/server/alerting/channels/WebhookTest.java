package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WebhookTest extends HttpChannelContract {
    private static final String SECRET = "whsec-4f7a1c";

    WebhookTest() {
        super(new Webhook(), SECRET);
    }

    @Override
    ObjectNode settings(String base) {
        return JSON.createObjectNode().put("url", base + "/hooks/vantage").put("secret", SECRET);
    }

    /** The recipe of docs/alerting.md: hex HMAC-SHA256 of timestamp "." body, under the secret. */
    @Override
    Receiver.Reply vendor(Receiver.Request r) {
        String timestamp = r.header("X-Vantage-Timestamp");
        String expected = "sha256=" + HexFormat.of().formatHex(
                Receiver.hmacSha256(Receiver.utf8(SECRET), Receiver.utf8(timestamp + "." + r.text())));
        return expected.equals(r.header("X-Vantage-Signature")) ? new Receiver.Reply(204, "")
                : new Receiver.Reply(401, "{\"error\":\"bad signature\"}");
    }

    @Test
    void theBodyHasTheDocumentedShapeAndIsSignedAtTheContextsTime() throws DeliveryException {
        assertThat(channel().send(FIRING).code()).isEqualTo(204);

        Receiver.Request r = receiver.only();
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.header("X-Vantage-Timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
        JsonNode body = r.json();
        assertThat(body.path("version").asInt()).isEqualTo(1);
        assertThat(body.path("kind").asText()).isEqualTo("firing");
        assertThat(body.path("incidentId").asText()).isEqualTo("inc-42");
        assertThat(body.path("rule").asText()).isEqualTo("API down");
        assertThat(body.path("task").asText()).isEqualTo("api health");
        assertThat(body.path("target").asText()).isEqualTo("http://127.0.0.1:9/health");
        assertThat(body.path("at").asText()).isEqualTo("2026-12-07T10:15:30Z");
        assertThat(body.path("summary").asText()).isEqualTo("2 of 3 agents bad");
        assertThat(body.path("badAgents")).extracting(JsonNode::asText).containsExactly("beijing-1", "shanghai-2");
        assertThat(body.path("link").asText()).isEqualTo("http://127.0.0.1:8080/#/incidents/inc-42");
        assertThat(body.path("title").asText()).isEqualTo("[FIRING] API down: api health");
    }

    @Test
    void aWrongSecretIsRejectedByTheReceiver() {
        DeliveryException e = failure(channel(settings(receiver.base()).put("secret", "not-the-secret")), FIRING);

        assertThat(e.code()).isEqualTo(401);
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void withoutASecretNothingIsSigned() throws DeliveryException {
        receiver.answer(r -> new Receiver.Reply(200, "ok"));
        channelWithout("secret").send(FIRING);

        assertThat(receiver.only().header("X-Vantage-Signature")).isNull();
        assertThat(receiver.only().header("X-Vantage-Timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
    }
}
