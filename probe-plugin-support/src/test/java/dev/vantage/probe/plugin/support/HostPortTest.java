package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest
    @CsvSource({"127.0.0.1:22, 127.0.0.1, 22", "[::1]:443, ::1, 443", "example.com:65535, example.com, 65535",
            "localhost:1, localhost, 1", "[fe80::1%lo]:80, fe80::1%lo, 80", "ntp.example.org:123, ntp.example.org, 123"})
    void parses(String target, String host, int port) {
        HostPort hp = HostPort.parse(target);
        assertThat(hp.host()).isEqualTo(host);
        assertThat(hp.port()).isEqualTo(port);
        assertThat(hp).hasToString(target).isEqualTo(HostPort.parse(hp.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "127.0.0.1", "::1:443", "host:0", "host:65536", "host:99999", "host:http",
            "[::1]", "[host]:80", "a b:80", ":80", "host:", "http://host:80", "host:+80", "no-port", ""})
    void refuses(String target) {
        assertThatThrownBy(() -> HostPort.parse(target)).isInstanceOf(IllegalArgumentException.class)
                .message().isNotBlank();
    }

    @Test
    void saysWhatWasExpected() {
        assertThatThrownBy(() -> HostPort.parse("no-port"))
                .hasMessage("expected host:port (an IPv6 address in brackets, [::1]:443), got 'no-port'");
        assertThatThrownBy(() -> HostPort.parse("host:0")).hasMessage("port must be 1-65535, got '0'");
    }

    @Test
    void knowsLiterals() {
        assertThat(HostPort.parse("10.0.0.1:443").isLiteral()).isTrue();
        assertThat(HostPort.parse("[::1]:443").isLiteral()).isTrue();
        assertThat(HostPort.parse("localhost:443").isLiteral()).isFalse();
        assertThat(HostPort.isLiteral("example.com")).isFalse();
        assertThat(HostPort.isLiteral("2001:db8::1")).isTrue();
    }

    @Test
    void isAValue() {
        assertThat(HostPort.parse("host:1")).isEqualTo(HostPort.parse("host:1")).hasSameHashCodeAs(HostPort.parse("host:1"))
                .isNotEqualTo(HostPort.parse("host:2")).isNotEqualTo(HostPort.parse("other:1"));
    }

    @Test
    void bareHostForAConfigNamesTheTargetFieldWhenRefused() {
        List<ConfigProblem> problems = new ArrayList<>();
        assertThat(HostPort.bareHost("[::1]", problems)).isEqualTo("::1");
        assertThat(problems).isEmpty();
        assertThat(HostPort.bareHost("127.0.0.1:80", problems)).isNull();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("target");
            assertThat(p.reason()).contains("without scheme, port or path").contains("'127.0.0.1:80'");
        });
    }
}
