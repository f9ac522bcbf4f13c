package dev.vantage.plugins.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class ProblemTextsTest {
    @Test
    void everyProblemHasAChineseTextWithTheSamePlaceholders() {
        assertThat(DnsProbeProvider.TEXTS.translationGaps(Locale.CHINESE)).isEmpty();
        assertThat(new DnsProbeProvider().describe().problemText("dns.edns", Locale.SIMPLIFIED_CHINESE)).isPresent();
    }
}
