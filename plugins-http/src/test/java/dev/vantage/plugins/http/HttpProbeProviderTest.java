package dev.vantage.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeProvider;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Creation-time checks; no network. */
class HttpProbeProviderTest {
    private final HttpProbeProvider provider = new HttpProbeProvider();

    @Test
    void isRegisteredForTheModulePathAndTheClassPath() throws Exception {
        String name = HttpProbeProvider.class.getName();
        Module module = HttpProbeProvider.class.getModule();
        if (module.isNamed()) {
            assertThat(module.getDescriptor().provides()).anySatisfy(p -> {
                assertThat(p.service()).isEqualTo(ProbeProvider.class.getName());
                assertThat(p.providers()).containsExactly(name);
            });
        }
        try (InputStream in = HttpProbeProvider.class.getResourceAsStream(
                "/META-INF/services/" + ProbeProvider.class.getName())) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo(name);
        }
        assertThat(new HttpProbeProvider().type()).isEqualTo("http");
    }

    @Test
    void describesSecretsAsSecret() {
        assertThat(provider.describe().parameters()).filteredOn(ParameterSpec::secret)
                .extracting(ParameterSpec::name).containsExactlyInAnyOrder("basicAuthPassword", "bearerToken");
    }

    @Test
    void acceptsHttpAndHttpsUrls() throws Exception {
        provider.create(config("http://127.0.0.1:8080/path?q=1", Map.of()));
        provider.create(config("HTTPS://[::1]/", Map.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1/", "file:///etc/passwd", "127.0.0.1", "http:///nohost",
            "http://bad host/", "http://under_score.example/", "http://127.0.0.1:99999/", "/relative"})
    void refusesTargetsThatAreNotAbsoluteHttpUrls(String target) {
        assertProblem(target, Map.of(), "target");
    }

    @Test
    void refusesCredentialsInTheUrlWithoutRepeatingThem() {
        assertThatThrownBy(() -> provider.create(config("ftp://user:pw-secret@127.0.0.1/", Map.of())))
                .isInstanceOf(InvalidConfigException.class)
                .message().contains("credentials").doesNotContain("pw-secret");
    }

    @Test
    void refusesContradictoryOrMalformedParameters() {
        assertProblem("http://127.0.0.1/", Map.of("basicAuthUser", "u", "bearerToken", "t"), "bearerToken");
        assertProblem("http://127.0.0.1/", Map.of("basicAuthPassword", "p"), "basicAuthPassword");
        assertProblem("http://127.0.0.1/", Map.of("validStatus", "2xx,abc"), "validStatus");
        assertProblem("http://127.0.0.1/", Map.of("headers", Map.of("Bad Name", "v")), "headers");
        assertProblem("http://127.0.0.1/", Map.of("headers", Map.of("X-Ok", "a\r\nInjected: 1")), "headers");
        assertProblem("http://127.0.0.1/", Map.of("caCert", "not a certificate"), "caCert");
        assertProblem("http://127.0.0.1/", Map.of("sni", "bad sni"), "sni");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> provider.create(config("ftp://x/", Map.of("validStatus", "abc", "sni", "-"))))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("target", "validStatus", "sni"));
    }

    @Test
    void statusRangesAcceptClassesRangesAndCodes() {
        StatusRanges ranges = StatusRanges.parse("2xx, 301-302,404");

        assertThat(ranges.contains(200)).isTrue();
        assertThat(ranges.contains(299)).isTrue();
        assertThat(ranges.contains(302)).isTrue();
        assertThat(ranges.contains(303)).isFalse();
        assertThat(ranges.contains(404)).isTrue();
        assertThat(ranges.contains(500)).isFalse();
        assertThatThrownBy(() -> StatusRanges.parse("299-200")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StatusRanges.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    private void assertProblem(String target, Map<String, ?> values, String field) {
        assertThatThrownBy(() -> provider.create(config(target, values)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).contains(field));
    }

    private ProbeConfig config(String target, Map<String, ?> values) {
        return TestContext.config(provider, target, Duration.ofSeconds(1), values);
    }
}
