package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidValueException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.ProbeConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a reply must contain: a regular expression found anywhere in its text (decoded as UTF-8), or a byte
 * prefix. Made once when a probe is created, then used by any number of attempts: immutable and thread-safe.
 *
 * <p>Matching works on a growing buffer, so a probe can test after every read: {@link #matches(byte[], int)}
 * says whether the bytes so far match, {@link #decided(int)} whether reading more could still change that.
 *
 * @since 0.1
 */
public final class Expectation {
    /**
     * The {@code expect} parameter: a regular expression the reply's text must contain. Plugins that check replies
     * offer it with {@link #HEX_PARAMETER} under these names, and read both with {@link #fromConfig}.
     *
     * @since 0.1
     */
    public static final ParameterSpec TEXT_PARAMETER = ParameterSpec.builder("expect", ParameterType.STRING)
            .description("Regular expression the reply's text must contain (anchor it with ^ to test the start).")
            .build();

    /**
     * The {@code expectHex} parameter: bytes, in hex, the reply must start with.
     *
     * @since 0.1
     */
    public static final ParameterSpec HEX_PARAMETER = ParameterSpec.builder("expectHex", ParameterType.STRING)
            .pattern(Bytes.HEX_PATTERN).description("Bytes, in hex, the reply must start with.").build();

    /**
     * The two parameters' descriptions in Simplified Chinese, by name, for a plugin's
     * {@code ProbeDescriptor.Texts.builder().parameters(...)}.
     *
     * @since 0.1
     */
    public static final Map<String, String> DESCRIPTIONS_ZH_CN = Map.of(
            "expect", "回复文本必须包含的正则表达式（以 ^ 开头可检查开头）。",
            "expectHex", "回复必须以之开头的字节（十六进制）。");

    private final Pattern regex;
    private final byte[] prefix;

    private Expectation(Pattern regex, byte[] prefix) {
        this.regex = regex;
        this.prefix = prefix;
    }

    /**
     * The expectation a probe's configuration sets with {@link #TEXT_PARAMETER} or {@link #HEX_PARAMETER}.
     *
     * @param problems receives a problem naming the parameter if both are set or a value is invalid
     * @return the expectation, or {@code null} if neither is set or a problem was recorded
     * @since 0.1
     */
    public static Expectation fromConfig(ProbeConfig config, List<ConfigProblem> problems) {
        String text = TEXT_PARAMETER.name();
        String hex = HEX_PARAMETER.name();
        try {
            if (config.has(text) && config.has(hex)) {
                problems.add(ProblemTexts.SUPPORT.problem(hex, "support.eitherOr", text, hex));
            } else if (config.has(text)) {
                return regex(config.string(text));
            } else if (config.has(hex)) {
                return prefix(Bytes.hex(config.string(hex)));
            }
        } catch (InvalidValueException e) {
            problems.add(ConfigProblem.of(config.has(text) ? text : hex, e.getMessage(), e.code(), e.args()));
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.of(config.has(text) ? text : hex, e.getMessage()));
        }
        return null;
    }

    /**
     * A reply whose text contains a match of {@code regex} ({@link java.util.regex.Matcher#find()}; anchor it with
     * {@code ^} to test the start).
     *
     * @throws IllegalArgumentException if the expression is invalid, with a reason fit for a config problem
     * @since 0.1
     */
    public static Expectation regex(String regex) {
        try {
            return new Expectation(Pattern.compile(regex), null);
        } catch (PatternSyntaxException e) {
            throw ProblemTexts.SUPPORT.invalid("support.regex", e.getDescription(), e.getIndex());
        }
    }

    /**
     * A reply that starts with these bytes (copied).
     *
     * @throws IllegalArgumentException if {@code prefix} is empty (it would match anything)
     * @since 0.1
     */
    public static Expectation prefix(byte[] prefix) {
        if (prefix.length == 0) {
            throw ProblemTexts.SUPPORT.invalid("support.prefixEmpty");
        }
        return new Expectation(null, prefix.clone());
    }

    /**
     * Whether the first {@code length} bytes of {@code data} match.
     *
     * @since 0.1
     */
    public boolean matches(byte[] data, int length) {
        if (regex != null) {
            return regex.matcher(new String(data, 0, length, StandardCharsets.UTF_8)).find();
        }
        return length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * True once {@code length} bytes settle whether {@link #matches} holds, so a probe can stop reading: a prefix is
     * decided by its length; a regular expression never is (more text may still match).
     *
     * @since 0.1
     */
    public boolean decided(int length) {
        return prefix != null && length >= prefix.length;
    }

    /**
     * The expectation in the words of the parameters Vantage's plugins take, for messages: {@code expect /regex/}
     * or {@code expectHex 0a0b}.
     *
     * @since 0.1
     */
    @Override
    public String toString() {
        return regex != null ? "expect /" + regex.pattern() + "/" : "expectHex " + HexFormat.of().formatHex(prefix);
    }
}
