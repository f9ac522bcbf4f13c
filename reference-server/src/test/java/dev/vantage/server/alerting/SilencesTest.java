package dev.vantage.server.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Silences through the API: what the model refuses is a 400 naming the field, in the reader's language. */
class SilencesTest {

    @Test
    void aWindowTheModelRefusesIsA400NamingTheFieldInTheReadersLanguage() {
        try (TestServer server = TestServer.start()) {
            String admin = server.adminToken();
            TestServer.Response backwards = server.call("POST", "/api/v1/silences", admin, JsonMapping.write(Map.of(
                    "tasks", Map.of("task", "web"),
                    "once", Map.of("from", "2030-01-02T00:00:00Z", "until", "2030-01-01T00:00:00Z"))),
                    Map.of("Accept-Language", "zh-CN"));
            assertThat(backwards.status()).as(backwards.body()).isEqualTo(400);
            JsonNode errors = backwards.json().get("errors");
            assertThat(errors.findValuesAsText("field")).containsExactly("once.until");
            assertThat(errors.get(0).get("message").asText()).isEqualTo("必须晚于 from");

            assertThat(refusal(server, admin, List.of(), "02:00", "04:00")).isEqualTo(
                    Map.of("weekly.days", "must name at least one day"));
            assertThat(refusal(server, admin, List.of("sun"), "02:00", "02:00")).isEqualTo(
                    Map.of("weekly.to", "must differ from from"));
            assertThat(server.get("/api/v1/silences", admin).json().get("items")).as("nothing stored").isEmpty();
        }
    }

    /** The one field a weekly silence is refused for, and why (in English). */
    private static Map<String, String> refusal(TestServer server, String admin, List<String> days, String from, String to) {
        TestServer.Response r = server.post("/api/v1/silences", admin, JsonMapping.write(Map.of(
                "tasks", Map.of("task", "web"),
                "weekly", Map.of("days", days, "from", from, "to", to, "timeZone", "UTC"))));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        JsonNode errors = r.json().get("errors");
        assertThat(errors).hasSize(1);
        return Map.of(errors.get(0).get("field").asText(), errors.get(0).get("message").asText());
    }
}
