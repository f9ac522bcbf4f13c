package dev.vantage.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.TestEngines;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Creation-time checks, through the engine's validation as users meet them; no network. */
class HttpProbeProviderTest {
    private final ProbeEngine engine = TestEngines.engine(new HttpProbeProvider());

    @AfterEach
    void closeEngine() {
        engine.close();
    }

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
        assertThat(engine.descriptors().get("http").parameters()).filteredOn(ParameterSpec::secret)
                .extracting(ParameterSpec::name).containsExactlyInAnyOrder("basicAuthPassword", "bearerToken");
    }

    @Test
    void acceptsHttpAndHttpsUrls() {
        assertThat(problems("http://127.0.0.1:8080/path?q=1", Map.of())).isEmpty();
        assertThat(problems("HTTPS://[::1]/", Map.of())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1/", "file:///etc/passwd", "127.0.0.1", "http:///nohost",
            "http://bad host/", "http://under_score.example/", "http://127.0.0.1:99999/", "/relative", "not a url"})
    void refusesTargetsThatAreNotAbsoluteHttpUrls(String target) {
        assertProblem(target, Map.of(), "target");
    }

    @Test
    void refusesCredentialsInTheUrlWithoutRepeatingThem() {
        assertThat(problems("ftp://user:pw-secret@127.0.0.1/", Map.of())).extracting(ConfigProblem::reason)
                .anySatisfy(reason -> assertThat(reason).contains("credentials"))
                .allSatisfy(reason -> assertThat(reason).doesNotContain("pw-secret"));
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
        assertThat(problems("ftp://x/", Map.of("validStatus", "abc", "sni", "-"))).extracting(ConfigProblem::field)
                .containsExactly("target", "params.validStatus", "params.sni");
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
        String path = field.equals("target") ? field : "params." + field;
        assertThat(problems(target, values)).extracting(ConfigProblem::field).contains(path);
    }

    private List<ConfigProblem> problems(String target, Map<String, ?> values) {
        return engine.validate(TaskSpec.builder("http", target).timeout(Duration.ofSeconds(1)).params(values).build());
    }
}
