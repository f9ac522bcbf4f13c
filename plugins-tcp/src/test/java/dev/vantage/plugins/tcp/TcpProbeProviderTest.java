package dev.vantage.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.TestEngines;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Descriptor and configuration checks, validated by a real engine (which names parameters {@code params.<name>}). */
class TcpProbeProviderTest {
    private final TcpProbeProvider provider = new TcpProbeProvider();
    private final ProbeEngine engine = TestEngines.engine(provider);

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void isFoundByServiceLoader() {
        getClass().getModule().addUses(ProbeProvider.class); // tests run inside the plugin's module
        assertThat(ServiceLoader.load(ProbeProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(TcpProbeProvider.class);
    }

    @Test
    void describesItsParameters() {
        assertThat(provider.describe().type()).isEqualTo("tcp");
        assertThat(provider.describe().parameters()).extracting(ParameterSpec::name).containsExactly(
                "tls", "sni", "verifyTls", "send", "sendHex", "expect", "expectHex", "readBytes", "ipVersion");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Object> params = Map.of("send", "x", "sendHex", "00", "expect", "(unclosed",
                "sni", "example.com");
        assertThat(problems("nohost", params))
                .containsExactly("target", "params.sni", "params.sendHex", "params.expect");
    }

    @Test
    void refusesServerNamesThatAreAddressesAndEmptyPrefixes() {
        assertThat(problems("127.0.0.1:1", Map.of("tls", true, "sni", "10.0.0.1", "expectHex", " ")))
                .containsExactly("params.sni", "params.expectHex");
    }

    @Test
    void badHexAndThePluginsOwnProblemsAreReportedTogether() {
        // the descriptor's pattern refuses the hex; the plugin still checks the rest
        assertThat(problems("127.0.0.1:1", Map.of("sendHex", "0g", "sni", "10.0.0.1")))
                .containsExactly("params.sendHex", "params.sni");
    }

    private List<String> problems(String target, Map<String, Object> params) {
        return engine.validate(TaskSpec.builder("tcp", target).params(params).build()).stream()
                .map(ConfigProblem::field).toList();
    }
}
