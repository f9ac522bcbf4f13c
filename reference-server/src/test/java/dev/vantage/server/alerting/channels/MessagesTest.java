package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MessagesTest {
    private static final Instant AT = Instant.parse("2026-12-07T10:15:30.250Z");

    private static Notification notification(Notification.Kind kind) {
        return new Notification(kind, "inc-1", "Ping loss", "gateway", "127.0.0.1", AT, "loss 20 % (11-31 %)",
                List.of("a1"), URI.create("http://127.0.0.1:8080/#/incidents/inc-1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            en | FIRING   | [FIRING] Ping loss: gateway
            en | REMINDER | [STILL FIRING] Ping loss: gateway
            en | RESOLVED | [RESOLVED] Ping loss: gateway
            en | TEST     | [TEST] Ping loss: gateway
            zh | FIRING   | 【告警】Ping loss：gateway
            zh | REMINDER | 【告警持续】Ping loss：gateway
            zh | RESOLVED | 【已恢复】Ping loss：gateway
            zh | TEST     | 【测试】Ping loss：gateway
            """)
    void everyKindHasATitleInEachLanguage(String language, Notification.Kind kind, String title) {
        Messages.Message m = Messages.of(Locale.forLanguageTag(language)).render(notification(kind));

        assertThat(m.title()).isEqualTo(title);
        assertThat(m.markdown()).startsWith("### " + title + "\n");
    }

    @Test
    void theBodyCarriesEveryFactAndTheLink() {
        Messages.Message m = Messages.of(Locale.SIMPLIFIED_CHINESE).render(notification(Notification.Kind.FIRING));

        assertThat(m.text()).isEqualTo("""
                规则：Ping loss
                任务：gateway
                目标：127.0.0.1
                时间：2026-12-07 10:15:30 UTC
                概要：loss 20 % (11-31 %)
                异常节点：a1
                事件：http://127.0.0.1:8080/#/incidents/inc-1""");
        assertThat(m.markdown()).endsWith("[查看事件](http://127.0.0.1:8080/#/incidents/inc-1)");
    }

    @Test
    void missingFactsShowADashAndValuesAreNeverReadAsTemplates() {
        Notification n = new Notification(Notification.Kind.TEST, null, "{link} $1 \\", null, null, AT, null,
                List.of(), null);

        Messages messages = Messages.of(Locale.GERMAN);
        Messages.Message m = messages.render(n);

        assertThat(messages.language()).isEqualTo("en");
        assertThat(m.title()).isEqualTo("[TEST] {link} $1 \\: -");
        assertThat(m.text()).contains("Target: -", "Bad agents: -", "Incident: -");
    }
}
