package dev.vantage.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class ProblemTextsTest {
    @Test
    void everyProblemHasAChineseTextWithTheSamePlaceholders() {
        assertThat(HttpSettings.TEXTS.translationGaps(Locale.CHINESE)).isEmpty();
        assertThat(new HttpProbeProvider().describe().problemText("http.url.port", Locale.SIMPLIFIED_CHINESE))
                .contains("端口 {0} 超出范围");
    }
}
