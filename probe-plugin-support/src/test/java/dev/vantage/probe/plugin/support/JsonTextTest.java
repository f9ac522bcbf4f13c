package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTextTest {
    private static String quoted(String s) {
        StringBuilder out = new StringBuilder();
        JsonText.quote(s, out);
        return out.toString();
    }

    @Test
    void quotesAndEscapesWhatJsonRequires() {
        assertThat(quoted("plain")).isEqualTo("\"plain\"");
        assertThat(quoted("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(quoted("l1\nl2\r\t")).isEqualTo("\"l1\\nl2\\r\\t\"");
        assertThat(quoted("\u0001\u001f")).isEqualTo("\"\\u0001\\u001f\"");
        assertThat(quoted("中文 é")).isEqualTo("\"中文 é\"");
    }
}
