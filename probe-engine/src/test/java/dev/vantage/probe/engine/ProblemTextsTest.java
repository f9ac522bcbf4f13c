package dev.vantage.probe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's problems in other languages: its own messages, and a plugin's through its descriptor. */
class ProblemTextsTest {
    private static final Pattern ARG = Pattern.compile("\\{(\\d+)");
    private static final Locale ZH = Locale.SIMPLIFIED_CHINESE;
    static ProbeEngine engine;

    @BeforeAll
    static void start() {
        engine = ProbeEngine.builder().build();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void theEnginesOwnProblemsAreToldInTheReadersLanguage() {
        TaskSpec spec = TaskSpec.builder("tcp", "127.0.0.1:1").id("t").interval(Duration.ofMillis(5))
                .timeout(Duration.ofMillis(1)).build();
        ConfigProblem interval = engine.validate(spec).stream().filter(p -> p.field().equals("interval")).findFirst()
                .orElseThrow();
        assertThat(interval.code()).isEqualTo("engine.interval.range");
        assertThat(interval.reason()).isEqualTo("must be between 10ms and 1d, got 5ms");
        assertThat(engine.reason(interval, "tcp", ZH)).isEqualTo("必须在 10 毫秒到 1 天之间，实际为 5ms");
        assertThat(engine.reason(interval, null, Locale.forLanguageTag("zh-TW"))).isEqualTo(engine.reason(interval, null, ZH));
        assertThat(engine.reason(interval, null, Locale.FRENCH)).isEqualTo(interval.reason());
        // a problem without a code is told as it is, in every language
        ConfigProblem plain = ConfigProblem.of("x", "as written");
        assertThat(engine.reason(plain, null, ZH)).isEqualTo("as written");
    }

    @Test
    void aParameterOfTheWrongKindIsToldInTheReadersWordsAndASecretKeepsItsCode() {
        try (ProbeEngine fake = ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding()).build()) {
            TaskSpec spec = TaskSpec.builder("fake", "x").id("t").param("count", List.of(1)).param("headers", List.of())
                    .param("flag", java.util.Map.of("a", 1)).param("password", List.of("secret")).build();
            java.util.Map<String, ConfigProblem> p = new java.util.TreeMap<>();
            fake.validate(spec).forEach(x -> p.put(x.field(), x));
            assertThat(p.get("params.count").reason()).isEqualTo("must be a whole number, got a list");
            assertThat(fake.reason(p.get("params.count"), "fake", ZH)).isEqualTo("必须是整数，实际为列表");
            assertThat(fake.reason(p.get("params.headers"), "fake", ZH)).isEqualTo("必须是字符串对象，实际为列表");
            assertThat(fake.reason(p.get("params.flag"), "fake", ZH)).isEqualTo("必须是 true 或 false，实际为对象");
            // a secret's refusals name no value, so they keep their code and are told in Chinese too
            assertThat(p.get("params.password").reason()).isEqualTo("must be text, got a list");
            assertThat(fake.reason(p.get("params.password"), "fake", ZH)).isEqualTo("必须是文本，实际为列表");
            ConfigProblem tooLong = fake.validate(TaskSpec.builder("fake", "x").id("t").param("password",
                    "much-too-long-secret").build()).stream().filter(x -> x.field().equals("params.password")).findFirst()
                    .orElseThrow();
            assertThat(tooLong.reason()).isEqualTo("must be at most 8 characters");
            assertThat(fake.reason(tooLong, "fake", ZH)).isEqualTo("最多 8 个字符");
            assertThat(tooLong.args()).doesNotContain("much-too-long-secret", "20");
        }
    }

    @Test
    void aPolicyRefusalHasACode() {
        AddressPolicy policy = AddressPolicy.builder().deny("127.0.0.0/8").build();
        ConfigProblem refusal = policy.refusal(new InetSocketAddress("127.0.0.1", 80)).orElseThrow();
        assertThat(policy.check(new InetSocketAddress("127.0.0.1", 80))).contains(refusal.reason());
        assertThat(refusal.reason()).isEqualTo("address 127.0.0.1 is in denied range 127.0.0.0/8");
        assertThat(engine.reason(refusal, null, ZH)).isEqualTo("地址 127.0.0.1 在禁止的范围 127.0.0.0/8 内");
        // told the same with no engine at hand (a server checking its own outbound connections)
        assertThat(ProbeEngine.engineReason(refusal, ZH)).isEqualTo(engine.reason(refusal, null, ZH));
        assertThat(ProbeEngine.engineReason(refusal, Locale.FRENCH)).isEqualTo(refusal.reason());
    }

    @Test
    void everyMessageHasAChineseTextWithTheSameArguments() throws IOException {
        Properties en = load("internal/problems.properties");
        Properties zh = load("internal/problems_zh.properties");
        assertThat(zh.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
        for (String code : en.stringPropertyNames()) {
            assertThat(args(zh.getProperty(code))).as(code).isEqualTo(args(en.getProperty(code)));
            assertThat(en.getProperty(code).replace("''", "")).as(code + ": a lone ' is a MessageFormat quote")
                    .doesNotContain("'");
            assertThat(zh.getProperty(code)).as(code).doesNotContain("'").containsPattern("\\p{IsHan}");
        }
    }

    private static TreeSet<String> args(String pattern) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = ARG.matcher(pattern);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Properties load(String name) throws IOException {
        Properties p = new Properties();
        try (InputStream in = ProbeEngine.class.getResourceAsStream(name)) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
