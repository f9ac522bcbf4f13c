package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExpectationTest {

    @Test
    void aRegexIsFoundAnywhereInTheTextSoFar() {
        Expectation e = Expectation.regex("PING \\d");
        byte[] reply = "> PING 1\n".getBytes(StandardCharsets.UTF_8);
        assertThat(e.matches(reply, 6)).isFalse();
        assertThat(e.matches(reply, reply.length)).isTrue();
        assertThat(e.decided(reply.length)).isFalse(); // more text could always match
        assertThat(e).hasToString("expect /PING \\d/");
    }

    @Test
    void aPrefixIsDecidedByItsLength() {
        Expectation e = Expectation.prefix(new byte[] {0, 1});
        assertThat(e.matches(new byte[] {0, 1, 2}, 1)).isFalse();
        assertThat(e.decided(1)).isFalse();
        assertThat(e.matches(new byte[] {0, 1, 2}, 3)).isTrue();
        assertThat(e.matches(new byte[] {0, 2}, 2)).isFalse();
        assertThat(e.decided(2)).isTrue();
        assertThat(e).hasToString("expectHex 0001");
    }

    @Test
    void copiesThePrefix() {
        byte[] prefix = {7};
        Expectation e = Expectation.prefix(prefix);
        prefix[0] = 8;
        assertThat(e.matches(new byte[] {7}, 1)).isTrue();
    }

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> Expectation.regex("(unclosed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid regular expression: Unclosed group near index 9");
        assertThatThrownBy(() -> Expectation.prefix(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
