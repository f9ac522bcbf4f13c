package dev.vantage.server.alerting.evaluation;

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

class SummaryTest {
    private static final Pattern ARG = Pattern.compile("\\{(\\d+)}");

    @Test
    void aSummaryIsToldInEachReadersLanguageAndKeepsItsShapeWhenStored() {
        Summary s = Summary.of("quorum", 2, 3, Summary.of("quorum.rule", 2),
                Summary.of("agent", "a1", Summary.of("streak", 5, 3)));
        assertThat(s.toString()).isEqualTo("2 of 3 agents bad (rule: at least 2); a1: 5 failures in a row (rule: 3)");
        assertThat(s.in(Locale.SIMPLIFIED_CHINESE)).isEqualTo("3 个节点中 2 个异常（规则：至少 2 个）；a1：连续失败 5 次（规则：3 次）");
        assertThat(s.in(Locale.forLanguageTag("zh-TW"))).isEqualTo(s.in(Locale.SIMPLIFIED_CHINESE));
        assertThat(s.in(Locale.FRENCH)).isEqualTo(s.toString());
        assertThat(Summary.fromJson(s.toJson())).isEqualTo(s);
        // what people wrote is shown as written, quotes and braces included
        Summary note = Summary.text("it's {0} the 'router'");
        assertThat(note.in(Locale.SIMPLIFIED_CHINESE)).isEqualTo("it's {0} the 'router'");
        assertThat(Summary.fromJson(note.toJson())).isEqualTo(note);
    }

    @Test
    void everyMessageHasAChineseTextWithTheSameArguments() throws IOException {
        Properties en = load("Summaries.properties");
        Properties zh = load("Summaries_zh.properties");
        assertThat(zh.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        for (String code : en.stringPropertyNames()) {
            assertThat(args(zh.getProperty(code))).as(code).isEqualTo(args(en.getProperty(code)));
            assertThat(en.getProperty(code)).as(code + ": MessageFormat reads an apostrophe as a quote").doesNotContain("'");
            assertThat(zh.getProperty(code)).as(code).doesNotContain("'").doesNotContainPattern("[A-Za-z]{3,}");
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
        try (InputStream in = SummaryTest.class.getResourceAsStream(name)) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
