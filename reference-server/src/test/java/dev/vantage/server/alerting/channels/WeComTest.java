package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class WeComTest extends HttpChannelContract {
    private static final String KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";

    WeComTest() {
        super(new WeCom(), KEY);
    }

    @Override
    ObjectNode settings(String base) {
        ObjectNode s = JSON.createObjectNode().put("url", base + "/cgi-bin/webhook/send?key=" + KEY);
        s.putArray("atUserIds").add("zhangsan");
        return s;
    }

    /** WeCom checks the robot's key and the message type, and answers errcode 0 on success. */
    @Override
    Receiver.Reply vendor(Receiver.Request r) {
        if (!r.path().equals("/cgi-bin/webhook/send") || !KEY.equals(r.query("key"))) {
            return new Receiver.Reply(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}");
        }
        String type = r.json().path("msgtype").asText();
        if (!type.equals("markdown") && !type.equals("text")) {
            return new Receiver.Reply(200, "{\"errcode\":40008,\"errmsg\":\"invalid message type\"}");
        }
        return new Receiver.Reply(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
    }

    @Test
    void aMarkdownMessageMentionsUsersInline() throws DeliveryException {
        channel(settings(receiver.base()), Locale.CHINESE, LOOPBACK_ONLY).send(FIRING);

        JsonNode body = receiver.only().json();
        assertThat(body.path("msgtype").asText()).isEqualTo("markdown");
        assertThat(body.path("markdown").path("content").asText())
                .startsWith("### 【告警】API down：api health")
                .contains("[查看事件](http://127.0.0.1:8080/#/incidents/inc-42)")
                .endsWith("<@zhangsan>");
    }

    @Test
    void mentioningByPhoneNumberSendsATextMessage() throws DeliveryException {
        ObjectNode s = settings(receiver.base());
        s.putArray("atMobiles").add("13800001111");

        channel(s).send(FIRING);

        JsonNode text = receiver.only().json().path("text");
        assertThat(receiver.only().json().path("msgtype").asText()).isEqualTo("text");
        assertThat(text.path("content").asText()).startsWith("[FIRING] API down: api health\n")
                .contains("Incident: http://127.0.0.1:8080/#/incidents/inc-42");
        assertThat(text.path("mentioned_list")).extracting(JsonNode::asText).containsExactly("zhangsan");
        assertThat(text.path("mentioned_mobile_list")).extracting(JsonNode::asText).containsExactly("13800001111");
    }

    @Test
    void aWrongKeyIsRejectedByWeCom() {
        ObjectNode s = settings(receiver.base()).put("url", receiver.base() + "/cgi-bin/webhook/send?key=wrong-key");

        DeliveryException e = failure(channel(s), FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("errcode 93000").doesNotContain("wrong-key");
    }
}
