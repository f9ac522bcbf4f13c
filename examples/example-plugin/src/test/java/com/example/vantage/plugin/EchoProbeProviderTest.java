package com.example.vantage.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EchoProbeProviderTest {
    private final EchoProbeProvider provider = new EchoProbeProvider();

    @Test
    void describesAMessageWithDefaultAndBoundsAndASecretToken() {
        ParameterSpec message = provider.describe().parameter("message").orElseThrow();
        assertThat(message.defaultValue()).isEqualTo("vantage");
        assertThat(message.min()).isEqualTo(1.0);
        assertThat(message.max()).isEqualTo(512.0);
        assertThat(provider.describe().parameter("token").orElseThrow().secret()).isTrue();
        assertThat(provider.describe().type()).isEqualTo(provider.type());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:7", "[::1]:7", "localhost:65535", "echo.example.com:1"})
    void acceptsHostPortTargets(String target) throws InvalidConfigException {
        assertThat(provider.create(config(target))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:7", "[::1]", "a b:7",
            "tcp://127.0.0.1:7", "user@127.0.0.1:7", ":7"})
    void refusesOtherTargetsNamingTheTargetField(String target) {
        assertThatThrownBy(() -> provider.create(config(target)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("target"));
    }

    private static ProbeConfig config(String target) {
        return ProbeConfig.builder().target(target).value("message", "vantage").build();
    }
}
