package dev.vantage.plugins.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.TestEngines;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Descriptor and configuration checks, through a real engine's validation (no packets are sent). */
class IcmpProbeProviderTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static ProbeEngine engine;

    @BeforeAll
    static void startEngine() {
        engine = TestEngines.engine(new IcmpProbeProvider());
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    private static List<String> problems(String target, Duration timeout, Map<String, Object> params) {
        return engine.validate(TaskSpec.builder("icmp", target).timeout(timeout).params(params).build()).stream()
                .map(ConfigProblem::field).toList();
    }

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
    void acceptsHostNamesAndAddresses(String target) {
        assertThat(problems(target, TIMEOUT, Map.of())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {" example.com", "http://example.com", "example.com:80", "example.com/x",
            "[::1]:80", "user@example.com", "127.1", "0x7f.0.0.1", "256.0.0.1", "1.2.3.4.5", "::g", "[10.0.0.1]",
            "-bad.example", "a..b"})
    void refusesAnythingElseNamingTheTarget(String target) {
        assertThat(problems(target, TIMEOUT, Map.of())).containsExactly("target");
    }

    @Test
    void thePacketsMustAllLeaveBeforeTheAttemptsDeadlineNotJustTheTimeout() {
        // 2 × 2450 ms = 4.9 s: inside the 5 s timeout, but not before the probe's deadline 100 ms earlier
        assertThat(problems("127.0.0.1", Duration.ofSeconds(5), Map.of("count", 3, "interval", "2450ms")))
                .containsExactly("params.interval");
        assertThat(problems("127.0.0.1", Duration.ofSeconds(5), Map.of("count", 3, "interval", "2440ms"))).isEmpty();
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThat(problems("https://x", Duration.ofSeconds(1), Map.of("count", 20, "interval", "100ms")))
                .containsExactly("target", "params.interval");
    }
}
