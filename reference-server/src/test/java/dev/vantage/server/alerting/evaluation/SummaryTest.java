package dev.vantage.server.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.BundleTexts;

import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SummaryTest {

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
    void everyMessageHasAChineseTextWithTheSameArguments() {
        Properties en = BundleTexts.load(SummaryTest.class, "Summaries.properties");
        Properties zh = BundleTexts.load(SummaryTest.class, "Summaries_zh.properties");
        assertThat(zh.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        for (String code : en.stringPropertyNames()) {
            assertThat(BundleTexts.args(zh.getProperty(code))).as(code).isEqualTo(BundleTexts.args(en.getProperty(code)));
            assertThat(en.getProperty(code)).as(code + ": MessageFormat reads an apostrophe as a quote").doesNotContain("'");
            assertThat(zh.getProperty(code)).as(code).doesNotContain("'").doesNotContainPattern("[A-Za-z]{3,}");
        }
    }
}
