package dev.vantage.probe.engine.internal;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidValueException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's own problem messages ({@code engine.*} codes) from {@code problems.properties} and its translations
 * ({@code problems_<language>.properties}): the English text becomes the problem's reason, the others are found by
 * {@link #pattern}.
 */
public final class EngineTexts {
    private static final Properties ENGLISH = read("problems.properties");
    private static final Map<String, Optional<Properties>> OTHERS = new ConcurrentHashMap<>();

    private EngineTexts() {
    }

    /** A problem of {@code field} with the engine's message {@code code}. */
    public static ConfigProblem problem(String field, String code, Object... args) {
        return ConfigProblem.of(field, english(code, args), code, strings(args));
    }

    /** A parser's refusal with the engine's message {@code code}. */
    public static InvalidValueException invalid(String code, Object... args) {
        return new InvalidValueException(english(code, args), code, strings(args));
    }

    /** The engine's pattern of {@code code} in {@code locale}'s language, if it is an engine code and translated. */
    public static Optional<String> pattern(String code, Locale locale) {
        return OTHERS.computeIfAbsent(locale.getLanguage(),
                        l -> Optional.ofNullable(read("problems_" + l + ".properties")))
                .map(p -> p.getProperty(code));
    }

    /**
     * The arguments of the engine's message {@code code} in {@code locale}: as they are, but for a {@code .got} code,
     * whose first argument is a kind of value ({@link #kind}) told in that language's words ({@code engine.kind.*}).
     */
    public static Object[] args(String code, List<String> args, Locale locale) {
        Object[] out = args.toArray();
        if (code.endsWith(".got") && out.length > 0) {
            String kind = "engine.kind." + out[0];
            out[0] = pattern(kind, locale).orElse(ENGLISH.getProperty(kind, String.valueOf(out[0])));
        }
        return out;
    }

    /** The kind of a parameter value, for {@code .got} codes: never the value itself. */
    public static String kind(Object value) {
        return switch (value) {
            case null -> "null";
            case List<?> l -> "list";
            case Map<?, ?> m -> "object";
            case String s -> "string";
            case Number n -> "number";
            case Boolean b -> "boolean";
            default -> "other";
        };
    }

    private static String english(String code, Object... args) {
        String pattern = ENGLISH.getProperty(code);
        if (pattern == null) {
            throw new IllegalArgumentException("no engine message " + code);
        }
        return new MessageFormat(pattern, Locale.ROOT).format(args(code, strings(args), Locale.ROOT));
    }

    private static List<String> strings(Object[] args) {
        return Arrays.stream(args).map(String::valueOf).toList();
    }

    private static Properties read(String name) {
        try (InputStream in = EngineTexts.class.getResourceAsStream(name)) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
