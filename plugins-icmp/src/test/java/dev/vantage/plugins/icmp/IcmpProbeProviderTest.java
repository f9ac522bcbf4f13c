package dev.vantage.plugins.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IcmpProbeProviderTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void isFoundByTheServiceLoader() {
        // On the module path the tests run inside the plugin's module, which provides but does not use the service.
        getClass().getModule().addUses(ProbeProvider.class);
        assertThat(ServiceLoader.load(ProbeProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(IcmpProbeProvider.class);
    }

    @Test
    void describesItsParameters() {
        ProbeDescriptor d = new IcmpProbeProvider().describe();

        assertThat(d.type()).isEqualTo("icmp").isEqualTo(new IcmpProbeProvider().type());
        assertThat(d.targetDescription()).isEqualTo("host name or IP address");
        assertThat(d.parameters()).extracting(ParameterSpec::name)
                .containsExactly("count", "interval", "size", "ttl", "ipVersion");
        ParameterSpec count = d.parameter("count").orElseThrow();
        assertThat(count.defaultValue()).isEqualTo(3L);
        assertThat(count.min()).isEqualTo(1.0);
        assertThat(count.max()).isEqualTo(100.0);
        assertThat(d.parameter("interval").orElseThrow().defaultValue()).isEqualTo(Duration.ofMillis(200));
        assertThat(d.parameter("ttl").orElseThrow().max()).isEqualTo(255.0);
        assertThat(d.parameter("ipVersion").orElseThrow().allowedValues()).containsExactly("any", "4", "6");
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "example.com.", "localhost", "a_b.example", "127.0.0.1", "10.200.0.2",
            "::1", "[::1]", "fd00::2", "fe80::1%1", "255.255.255.255"})
    void acceptsHostNamesAndAddresses(String target) throws InvalidConfigException {
        try (var provider = new IcmpProbeProvider()) {
            assertThat(provider.create(TestContext.config(target, TIMEOUT))).isInstanceOf(IcmpProbe.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " example.com", "http://example.com", "example.com:80", "example.com/x",
            "[::1]:80", "user@example.com", "127.1", "0x7f.0.0.1", "256.0.0.1", "1.2.3.4.5", "::g", "[10.0.0.1]",
            "-bad.example", "a..b"})
    void refusesAnythingElseNamingTheTarget(String target) {
        try (var provider = new IcmpProbeProvider()) {
            assertThatThrownBy(() -> provider.create(TestContext.config(target, TIMEOUT)))
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                            .extracting(ConfigProblem::field).containsExactly("target"));
        }
    }

    @Test
    void reportsEveryProblemAtOnce() {
        try (var provider = new IcmpProbeProvider()) {
            assertThatThrownBy(() -> provider.create(TestContext.config("https://x", Duration.ofSeconds(1),
                    "count", 20L, "interval", Duration.ofMillis(100))))
                    .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                            .extracting(ConfigProblem::field).containsExactly("target", "interval"));
        }
    }
}
