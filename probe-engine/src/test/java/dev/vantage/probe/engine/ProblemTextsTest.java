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
