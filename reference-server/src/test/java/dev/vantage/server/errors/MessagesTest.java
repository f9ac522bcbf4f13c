package dev.vantage.server.errors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.BundleTexts;

import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class MessagesTest {

    @Test
    void aMessageIsToldInEachReadersLanguage() {
        Message m = Message.of("invalid.many", 3);
        assertThat(m.toString()).isEqualTo("3 fields are invalid");
        assertThat(m.in(Locale.SIMPLIFIED_CHINESE)).isEqualTo("有 3 个字段无效");
        assertThat(m.in(Locale.FRENCH)).isEqualTo(m.toString());
        assertThat(Message.of("selector.shape").toString())
                .isEqualTo("must be one of {\"all\": true}, {\"agent\": \"<id>\"} or {\"labels\": {\"name\": \"value\"}}");
        assertThat(new NotFoundException("alert rule").detail().in(Locale.SIMPLIFIED_CHINESE)).isEqualTo("找不到该告警规则");
        assertThat(new NotFoundException("alert rule").getMessage()).isEqualTo("alert rule not found");
        // a kind without a text is still a 404 in English, never a 500
        assertThat(new NotFoundException("gizmo").detail().in(Locale.SIMPLIFIED_CHINESE)).isEqualTo("gizmo not found");
    }

    @Test
    void aStoredMessageIsToldInEachReadersLanguageLater() {
        Message engine = Message.localized(locale -> locale.getLanguage().equals("zh") ? "地址被拒绝" : "address refused");
        Message m = Message.of("delivery.saying", Message.of("delivery.notSent", engine), "{0} 'as data'");
        Message stored = Message.fromJson(m.toJson(), m.toString());
        assertThat(stored.toString()).isEqualTo("not sent: address refused: {0} 'as data'");
        assertThat(stored.in(Locale.SIMPLIFIED_CHINESE)).isEqualTo("未发送：地址被拒绝，回复：{0} 'as data'");
        assertThat(stored.in(Locale.FRENCH)).isEqualTo(stored.toString());
        // stored by a version with a code this one lacks: its English text, never a 500
        String unknown = m.toJson().replace("delivery.notSent", "delivery.gone");
        assertThat(Message.fromJson(unknown, "as it was").in(Locale.SIMPLIFIED_CHINESE)).isEqualTo("as it was");
    }

    @Test
    void everyMessageHasAChineseTextWithTheSameArguments() {
        Properties en = BundleTexts.load(Message.class, "Messages.properties");
        Properties zh = BundleTexts.load(Message.class, "Messages_zh.properties");
        assertThat(zh.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        for (String code : en.stringPropertyNames()) {
            assertThat(BundleTexts.args(zh.getProperty(code))).as(code).isEqualTo(BundleTexts.args(en.getProperty(code)));
            assertThat(zh.getProperty(code)).as(code).containsPattern("\\p{IsHan}");
        }
    }

    @Test
    void theChineseTextsCallAnAgentByOneWord() {
        // 节点 as the UI says (拨测 products' word), never 代理, which also reads as "proxy" (issue 15)
        Properties zh = BundleTexts.load(Message.class, "Messages_zh.properties");
        for (String code : zh.stringPropertyNames()) {
            assertThat(zh.getProperty(code)).as(code).doesNotContain("代理");
        }
    }
}
