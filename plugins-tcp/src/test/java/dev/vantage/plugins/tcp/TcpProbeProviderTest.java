package dev.vantage.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeProvider;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpProbeProviderTest {
    private final TcpProbeProvider provider = new TcpProbeProvider();

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

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:22", "[::1]:443", "example.com:65535", "localhost:1", "[fe80::1%lo]:80"})
    void acceptsTargets(String target) throws Exception {
        provider.create(config(target, Map.of())).close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "::1:443", "host:0", "host:65536", "host:http", "[::1]", "[host]:80",
            "a b:80", ":80", "host:", "http://host:80", "host:+80"})
    void refusesTargets(String target) {
        assertThatThrownBy(() -> provider.create(config(target, Map.of())))
                .isInstanceOfSatisfying(InvalidConfigException.class, e ->
                        assertThat(e.problems()).extracting(ConfigProblem::field).containsExactly("target"));
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Object> values = Map.of("send", "x", "sendHex", "00", "expect", "(unclosed",
                "sni", "example.com");
        assertThatThrownBy(() -> provider.create(config("nohost", values)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("target", "sni", "sendHex", "expect"));
    }

    @Test
    void refusesBadHexAndServerNames() {
        Map<String, Object> values = Map.of("tls", true, "sni", "10.0.0.1", "sendHex", "0g", "expectHex", " ");
        assertThatThrownBy(() -> provider.create(config("127.0.0.1:1", values)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field)
                        .containsExactly("sni", "sendHex", "expectHex"));
    }

    @Test
    void hexMayHaveBlanks() {
        assertThat(Expectation.hex(" de ad\tbe EF ")).containsExactly(0xde, 0xad, 0xbe, 0xef);
    }

    @Test
    void showsReceivedBytesEscapedAndCut() {
        byte[] data = "ok\r\n\u0000'\\".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Expectation.show(data, data.length)).isEqualTo("'ok\\r\\n\\x00\\'\\\\'");
        byte[] longer = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);
        assertThat(Expectation.show(longer, 100)).isEqualTo("'" + "x".repeat(64) + "'... (100 bytes)");
    }

    @Test
    void classifiesConnectFailures() {
        assertThat(kind(new ConnectException("Connection refused"))).isEqualTo(ErrorKind.REFUSED);
        assertThat(kind(new NoRouteToHostException("No route to host"))).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(kind(new SocketException("Network is unreachable"))).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(kind(new ConnectException("Network is unreachable"))).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(kind(new SocketTimeoutException("Connect timed out"))).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(kind(new ConnectException("Connection timed out"))).isEqualTo(ErrorKind.TIMEOUT);
    }

    private static ErrorKind kind(IOException e) {
        return TcpProbe.connectFailure(e, new InetSocketAddress("127.0.0.1", 9)).kind();
    }

    private ProbeConfig config(String target, Map<String, Object> values) {
        return TestContext.config(provider, target, Duration.ofSeconds(1), values);
    }
}
