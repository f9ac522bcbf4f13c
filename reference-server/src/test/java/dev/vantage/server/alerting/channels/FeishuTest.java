package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class FeishuTest extends HttpChannelContract {
    private static final String HOOK = "4e1b7c0a-feishu-hook";
    private static final String SECRET = "lark-secret-93d";

    FeishuTest() {
        super(new Feishu(), HOOK, SECRET);
    }

    @Override
    ObjectNode settings(String base) {
        ObjectNode s = JSON.createObjectNode().put("url", base + "/open-apis/bot/v2/hook/" + HOOK).put("secret", SECRET);
        s.putArray("atUserIds").add("ou_7d8a6e6df7621556ce0d21922b676706");
        return s;
    }

    /**
     * Feishu's documented check: timestamp (seconds, as a string) within an hour of now, and sign =
     * base64(HmacSHA256(key = timestamp + "\n" + secret, message = empty)).
     */
    @Override
    Receiver.Reply vendor(Receiver.Request r) {
        if (!r.path().equals("/open-apis/bot/v2/hook/" + HOOK)) {
            return new Receiver.Reply(404, "{\"code\":19001,\"msg\":\"param invalid: incoming webhook access token invalid\"}");
        }
        JsonNode body = r.json();
        String timestamp = body.path("timestamp").asText();
        String expected = Base64.getEncoder().encodeToString(
                Receiver.hmacSha256(Receiver.utf8(timestamp + "\n" + SECRET), new byte[0]));
        if (!body.path("timestamp").isTextual() || Math.abs(Long.parseLong(timestamp) - NOW.getEpochSecond()) > 3600
                || !expected.equals(body.path("sign").asText())) {
            return new Receiver.Reply(200, "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\"}");
        }
        if (!body.path("msg_type").asText().equals("post")) {
            return new Receiver.Reply(200, "{\"code\":9499,\"msg\":\"Bad Request\"}");
        }
        return new Receiver.Reply(200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}");
    }

    /** The texts of every element of the post, and the user ids of its at elements. */
    private static List<String> elements(JsonNode post) {
        List<String> out = new ArrayList<>();
        post.path("content").forEach(p -> p.forEach(e -> out.add(e.path("tag").asText() + ":"
                + (e.path("tag").asText().equals("at") ? e.path("user_id").asText() : e.path("text").asText()))));
        return out;
    }

    @Test
    void aSignedPostMentionsPeopleByUserId() throws DeliveryException {
        channel().send(FIRING);

        JsonNode body = receiver.only().json();
        assertThat(body.path("timestamp").asText()).isEqualTo(Long.toString(NOW.getEpochSecond()));
        JsonNode post = body.path("content").path("post").path("en_us");
        assertThat(post.path("title").asText()).isEqualTo("[FIRING] API down: api health");
        assertThat(elements(post)).contains("text:Incident: http://127.0.0.1:8080/#/incidents/inc-42",
                "at:ou_7d8a6e6df7621556ce0d21922b676706");
    }

    @Test
    void inChineseThePostIsChinese() throws DeliveryException {
        channel(settings(receiver.base()), Locale.CHINESE, LOOPBACK_ONLY).send(FIRING);

        JsonNode post = receiver.only().json().path("content").path("post").path("zh_cn");
        assertThat(post.path("title").asText()).isEqualTo("【告警】API down：api health");
        assertThat(elements(post)).contains("text:事件：http://127.0.0.1:8080/#/incidents/inc-42");
    }

    @Test
    void aWrongSecretIsRejectedByFeishu() {
        DeliveryException e = failure(channel(settings(receiver.base()).put("secret", "wrong-secret")), FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("code 19021").doesNotContain("wrong-secret");
    }

    @Test
    void withoutASecretTheBodyIsNotSigned() throws DeliveryException {
        receiver.answer(r -> new Receiver.Reply(200, "{\"code\":0,\"msg\":\"success\"}"));
        channelWithout("secret").send(FIRING);

        assertThat(receiver.only().json().has("sign")).isFalse();
        assertThat(receiver.only().json().has("timestamp")).isFalse();
    }
}
