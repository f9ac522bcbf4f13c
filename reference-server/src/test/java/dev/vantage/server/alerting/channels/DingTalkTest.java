package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DingTalkTest extends HttpChannelContract {
    private static final String TOKEN = "ding-token-8c2e";
    private static final String SECRET = "SECa1b2c3d4e5f6";

    DingTalkTest() {
        super(new DingTalk(), TOKEN, SECRET);
    }

    @Override
    ObjectNode settings(String base) {
        ObjectNode s = JSON.createObjectNode().put("url", base + "/robot/send?access_token=" + TOKEN).put("secret", SECRET);
        s.putArray("atMobiles").add("13800000000");
        s.putArray("atUserIds").add("manager7");
        return s;
    }

    /**
     * DingTalk's documented check: timestamp in milliseconds within an hour of now, and sign =
     * urlEncode(base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret))).
     */
    @Override
    Receiver.Reply vendor(Receiver.Request r) {
        if (!r.path().equals("/robot/send") || !TOKEN.equals(r.query("access_token"))) {
            return new Receiver.Reply(200, "{\"errcode\":300001,\"errmsg\":\"token is not exist\"}");
        }
        String timestamp = r.query("timestamp");
        String expected = Base64.getEncoder().encodeToString(
                Receiver.hmacSha256(Receiver.utf8(SECRET), Receiver.utf8(timestamp + "\n" + SECRET)));
        if (timestamp == null || Math.abs(Long.parseLong(timestamp) - NOW.toEpochMilli()) > 3_600_000
                || !expected.equals(r.query("sign"))) {
            return new Receiver.Reply(200, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}");
        }
        JsonNode body = r.json();
        if (!body.path("msgtype").asText().equals("markdown") || body.path("markdown").path("text").asText().isEmpty()) {
            return new Receiver.Reply(200, "{\"errcode\":40035,\"errmsg\":\"missing parameter\"}");
        }
        return new Receiver.Reply(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
    }

    @Test
    void aMarkdownMessageMentionsPeopleAsDingTalkRequires() throws DeliveryException {
        channel().send(FIRING);

        Receiver.Request r = receiver.only();
        assertThat(r.query("timestamp")).isEqualTo(Long.toString(NOW.toEpochMilli()));
        JsonNode body = r.json();
        assertThat(body.path("markdown").path("title").asText()).isEqualTo("[FIRING] API down: api health");
        assertThat(body.path("markdown").path("text").asText())
                .contains("(http://127.0.0.1:8080/#/incidents/inc-42)", "beijing-1, shanghai-2")
                .endsWith("@13800000000 @manager7");
        assertThat(body.path("at").path("atMobiles")).extracting(JsonNode::asText).containsExactly("13800000000");
        assertThat(body.path("at").path("atUserIds")).extracting(JsonNode::asText).containsExactly("manager7");
    }

    @Test
    void inChineseTheMessageIsChinese() throws DeliveryException {
        channel(settings(receiver.base()), Locale.CHINESE, LOOPBACK_ONLY).send(FIRING);

        JsonNode markdown = receiver.only().json().path("markdown");
        assertThat(markdown.path("title").asText()).isEqualTo("【告警】API down：api health");
        assertThat(markdown.path("text").asText()).contains("异常节点", "beijing-1、shanghai-2",
                "[查看事件](http://127.0.0.1:8080/#/incidents/inc-42)");
    }

    @Test
    void aWrongSecretIsRejectedByDingTalk() {
        DeliveryException e = failure(channel(settings(receiver.base()).put("secret", "SECwrong")), FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("errcode 310000", "sign not match").doesNotContain("SECwrong");
    }

    @Test
    void withoutASecretTheRequestIsNotSigned() throws DeliveryException {
        receiver.answer(r -> new Receiver.Reply(200, "{\"errcode\":0,\"errmsg\":\"ok\"}"));
        channelWithout("secret").send(FIRING);

        assertThat(receiver.only().rawQuery()).isEqualTo("access_token=" + TOKEN);
    }
}
