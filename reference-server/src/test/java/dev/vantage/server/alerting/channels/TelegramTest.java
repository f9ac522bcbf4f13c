package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TelegramTest extends HttpChannelContract {
    private static final String TOKEN = "123456789:AAFt-bot_token_for_tests";

    TelegramTest() {
        super(new Telegram(), TOKEN);
    }

    @Override
    ObjectNode settings(String base) {
        return JSON.createObjectNode().put("botToken", TOKEN).put("chatId", "-1001234567890").put("apiBase", base);
    }

    /** The Bot API: sendMessage at /bot<token>/sendMessage; 401 for a bad token; ok true on success. */
    @Override
    Receiver.Reply vendor(Receiver.Request r) {
        if (!r.path().equals("/bot" + TOKEN + "/sendMessage")) {
            return new Receiver.Reply(401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
        }
        JsonNode body = r.json();
        if (!body.path("chat_id").isTextual() || body.path("text").asText().isEmpty()) {
            return new Receiver.Reply(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message text is empty\"}");
        }
        return new Receiver.Reply(200, "{\"ok\":true,\"result\":{\"message_id\":7}}");
    }

    @Test
    void sendMessageCarriesTheChatAndThePlainText() throws DeliveryException {
        channel(settings(receiver.base()), Locale.CHINESE, LOOPBACK_ONLY).send(FIRING);

        JsonNode body = receiver.only().json();
        assertThat(body.path("chat_id").asText()).isEqualTo("-1001234567890");
        assertThat(body.path("parse_mode").isMissingNode()).isTrue();
        assertThat(body.path("text").asText()).startsWith("【告警】API down：api health\n\n")
                .contains("事件：http://127.0.0.1:8080/#/incidents/inc-42");
    }

    @Test
    void aWrongTokenIsRejectedAndNotShown() {
        DeliveryException e = failure(channel(settings(receiver.base()).put("botToken", "987654321:wrong")), FIRING);

        assertThat(e.code()).isEqualTo(401);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).doesNotContain("987654321:wrong");
    }

    @Test
    void anAnswerWithoutOkIsAFailure() {
        receiver.answer(r -> new Receiver.Reply(200, "{\"ok\":false,\"description\":\"chat not found\"}"));

        DeliveryException e = failure(channel(), FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("chat not found");
    }
}
