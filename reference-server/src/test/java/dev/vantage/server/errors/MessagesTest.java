package dev.vantage.server.errors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MessagesTest {
    private static final Pattern ARG = Pattern.compile("\\{(\\d+)");

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
    void everyMessageHasAChineseTextWithTheSameArguments() throws IOException {
        Properties en = load("Messages.properties");
        Properties zh = load("Messages_zh.properties");
        assertThat(zh.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        for (String code : en.stringPropertyNames()) {
            assertThat(args(zh.getProperty(code))).as(code).isEqualTo(args(en.getProperty(code)));
            assertThat(zh.getProperty(code)).as(code).containsPattern("\\p{IsHan}");
        }
    }

    private static TreeSet<String> args(String pattern) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = ARG.matcher(pattern);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Properties load(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Message.class.getResourceAsStream(name)) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
