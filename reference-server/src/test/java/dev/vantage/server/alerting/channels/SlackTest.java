package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlackTest extends HttpChannelContract {
    private static final String PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

    SlackTest() {
        super(new Slack(), "XXXXXXXXXXXXXXXXXXXXXXXX");
    }

    @Override
    ObjectNode settings(String base) {
        return JSON.createObjectNode().put("url", base + PATH);
    }

    /** Slack answers "ok", or 403/404 with a short reason for a bad URL, 400 for a bad payload. */
    @Override
    Receiver.Reply vendor(Receiver.Request r) {
        if (!r.path().equals(PATH)) {
            return new Receiver.Reply(403, "invalid_token");
        }
        return r.json().path("text").isTextual() ? new Receiver.Reply(200, "ok")
                : new Receiver.Reply(400, "invalid_payload");
    }

    @Test
    void theTextCarriesTitleAndLinkWithSlacksControlCharactersEscaped() throws DeliveryException {
        Notification n = new Notification(Notification.Kind.RESOLVED, "inc-42", "p99 < 200 ms & up", "api health",
                FIRING.target(), NOW, "ok again", List.of(), FIRING.link());

        channel().send(n);

        assertThat(receiver.only().json().path("text").asText())
                .startsWith("*[RESOLVED] p99 &lt; 200 ms &amp; up: api health*\n")
                .contains("Incident: http://127.0.0.1:8080/#/incidents/inc-42");
    }

    @Test
    void aWrongUrlIsRejectedBySlack() {
        DeliveryException e = failure(channel(settings(receiver.base() + "/x")), FIRING);

        assertThat(e.code()).isEqualTo(403);
        assertThat(e.retryable()).isFalse();
    }
}
