package dev.vantage.probe.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.ProbeDescriptor;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** A plugin's descriptor in other languages (the SPI's {@code texts} and {@code localize}). */
class DescriptorTextsTest {
    private static final ProbeDescriptor D = ProbeDescriptor.builder("tcp").displayName("TCP")
            .description("Connects to a port.").targetDescription("host:port")
            .parameter(ParameterSpec.builder("tls", ParameterType.BOOLEAN).defaultValue(false).description("Use TLS.").build())
            .parameter(ParameterSpec.builder("send", ParameterType.STRING).pattern(".*").description("Text to send.").build())
            .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder().description("连接一个端口。")
                    .targetDescription("主机:端口").parameter("tls", "使用 TLS。").build())
            .build();

    @Test
    void aLanguageReplacesTheTextsItGivesAndKeepsEverythingElse() {
        ProbeDescriptor zh = D.localize(Locale.forLanguageTag("zh-CN"));
        assertThat(zh.description()).isEqualTo("连接一个端口。");
        assertThat(zh.targetDescription()).isEqualTo("主机:端口");
        assertThat(zh.displayName()).as("not given: the plugin's own").isEqualTo("TCP");
        assertThat(zh.parameter("tls").orElseThrow().description()).isEqualTo("使用 TLS。");
        assertThat(zh.parameter("tls").orElseThrow().defaultValue()).isEqualTo(false);
        assertThat(zh.parameter("send").orElseThrow().description()).isEqualTo("Text to send.");
        assertThat(zh.parameter("send").orElseThrow().pattern()).isEqualTo(".*");
        assertThat(D.locales()).containsExactly(Locale.SIMPLIFIED_CHINESE);
    }

    @Test
    void theSameLanguageMatchesAndAnUnknownOneGetsTheOriginal() {
        assertThat(D.localize(Locale.forLanguageTag("zh")).description()).isEqualTo("连接一个端口。");
        assertThat(D.localize(Locale.forLanguageTag("zh-TW")).description()).isEqualTo("连接一个端口。");
        assertThat(D.localize(Locale.FRENCH)).isSameAs(D);
    }

    @Test
    void textsForAParameterThatDoesNotExistAreATypo() {
        assertThatThrownBy(() -> ProbeDescriptor.builder("x")
                .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder().parameter("tsl", "?").build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zh-CN").hasMessageContaining("tsl");
    }
}
