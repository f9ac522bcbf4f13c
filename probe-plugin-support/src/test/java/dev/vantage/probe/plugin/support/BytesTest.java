package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BytesTest {

    @Test
    void hexMayHaveBlanks() {
        assertThat(Bytes.hex(" de ad\tbe EF ")).containsExactly(0xde, 0xad, 0xbe, 0xef);
        assertThat(Bytes.hex(" ")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0g", "abc", "0x01"})
    void refusesWhatIsNotHex(String text) {
        assertThatThrownBy(() -> Bytes.hex(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not hex (pairs of 0-9a-f): ");
        assertThat(text).doesNotMatch(Bytes.HEX_PATTERN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "00", " de ad\tbe EF "})
    void thePatternAcceptsWhatHexReads(String text) {
        assertThat(text).matches(Bytes.HEX_PATTERN);
        Bytes.hex(text);
    }

    @Test
    void showsReceivedBytesEscapedAndCut() {
        byte[] data = "ok\r\n\u0000'\\".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Bytes.show(data, data.length)).isEqualTo("'ok\\r\\n\\x00\\'\\\\'");
        byte[] longer = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
        assertThat(Bytes.show(longer, 100)).isEqualTo("'" + "x".repeat(64) + "'... (100 bytes)");
        assertThat(Bytes.show(longer, 3)).isEqualTo("'xxx'");
    }
}
