package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ProbeDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ProblemTextsTest {
    @Test
    void everySupportMessageHasAChineseTextWithTheSamePlaceholders() {
        assertThat(ProblemTexts.SUPPORT.translationGaps(Locale.CHINESE)).isEmpty();
        assertThat(ProblemTexts.SUPPORT.patterns(Locale.FRENCH)).isEmpty();
    }

    @Test
    void aParsersRefusalKeepsItsCodeAndEnglishReason() {
        List<ConfigProblem> problems = new ArrayList<>();
        assertThat(ConfigProblem.check("target", () -> HostPort.parse("example.com:0"), problems)).isNull();
        ConfigProblem p = problems.getFirst();
        assertThat(p.reason()).isEqualTo("port must be 1-65535, got '0'");
        assertThat(p.code()).isEqualTo("support.hostPort.port");
        assertThat(p.args()).containsExactly("0");
        // a descriptor that carries the support texts tells it in Chinese
        ProbeDescriptor d = ProbeDescriptor.builder("x").texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder()
                .problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE)).build()).build();
        assertThat(d.problemText(p.code(), Locale.forLanguageTag("zh"))).contains("端口必须在 1 到 65535 之间，实际为 “{0}”");
        assertThat(d.problemText(p.code(), Locale.FRENCH)).isEmpty();
    }
}
