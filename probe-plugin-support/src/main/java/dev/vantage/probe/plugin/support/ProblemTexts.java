package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidValueException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plugin's problem messages by code, in English and other languages, from {@code <name>.properties} and
 * {@code <name>_<language>.properties} beside the plugin's classes (UTF-8, {@link MessageFormat} patterns). The
 * English text becomes the problem's reason; the other languages go into the descriptor
 * ({@link dev.vantage.probe.spi.ProbeDescriptor.TextsBuilder#problems}) so a server can tell the problem in its
 * reader's language. {@link #SUPPORT} holds the messages of this library's own parsers ({@link HostPort},
 * {@link Bytes}, {@link Expectation} ...), which every plugin that uses them adds to its descriptor too.
 * <pre>{@code
 * static final ProblemTexts TEXTS = ProblemTexts.load(MyProvider.class::getResourceAsStream, "problems");
 * problems.add(TEXTS.problem("count", "my.count", 1, 1000));
 * .texts(Locale.SIMPLIFIED_CHINESE, Texts.builder().problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE))
 *         .problems(TEXTS.patterns(Locale.CHINESE)) ...)
 * }</pre>
 *
 * @since 0.1
 */
public final class ProblemTexts {
    /** The messages of this library's parsers. */
    public static final ProblemTexts SUPPORT = load(ProblemTexts.class::getResourceAsStream, "problems");
    private static final Pattern ARG = Pattern.compile("\\{(\\d+)");
    /** A quote to {@link MessageFormat}; a doubled one is an apostrophe. */
    private static final Pattern LONE_QUOTE = Pattern.compile("(?<!')'(?!')");

    private final Function<String, InputStream> resources;
    private final String name;
    private final Properties english;

    private ProblemTexts(Function<String, InputStream> resources, String name) {
        this.resources = resources;
        this.name = name;
        this.english = read(resources, name + ".properties");
        if (english == null) {
            throw new IllegalArgumentException("no " + name + ".properties");
        }
    }

    /**
     * Reads {@code <name>.properties} through {@code resources} (pass {@code YourClass.class::getResourceAsStream},
     * so that the plugin's own module reads its own resources).
     */
    public static ProblemTexts load(Function<String, InputStream> resources, String name) {
        return new ProblemTexts(Objects.requireNonNull(resources, "resources"), Objects.requireNonNull(name, "name"));
    }

    /** The English text of {@code code} with {@code args}. */
    public String english(String code, Object... args) {
        String pattern = english.getProperty(code);
        if (pattern == null) {
            throw new IllegalArgumentException(name + ": no message " + code);
        }
        return new MessageFormat(pattern, Locale.ROOT).format(strings(args));
    }

    /** A problem of {@code field}: the English text of {@code code} as its reason, with code and arguments. */
    public ConfigProblem problem(String field, String code, Object... args) {
        return ConfigProblem.of(field, english(code, args), code, Arrays.asList(strings(args)));
    }

    /** A parser's refusal with {@code code}, for {@link ConfigProblem#check}. */
    public InvalidValueException invalid(String code, Object... args) {
        return new InvalidValueException(english(code, args), code, Arrays.asList(strings(args)));
    }

    /** Every pattern in {@code locale}'s language ({@code <name>_<language>.properties}); empty when none. */
    public Map<String, String> patterns(Locale locale) {
        Properties p = read(resources, name + "_" + locale.getLanguage() + ".properties");
        Map<String, String> out = new TreeMap<>();
        if (p != null) {
            p.stringPropertyNames().forEach(code -> out.put(code, p.getProperty(code)));
        }
        return out;
    }

    /**
     * What is wrong with the {@code locale} texts: a code without a translation or the other way round, different
     * placeholders, an apostrophe (a quote to {@link MessageFormat}). Empty when they are complete; a plugin's test
     * asserts that.
     */
    public List<String> translationGaps(Locale locale) {
        Map<String, String> other = patterns(locale);
        List<String> gaps = new ArrayList<>();
        for (String code : new TreeSet<>(english.stringPropertyNames())) {
            String en = english.getProperty(code);
            String tr = other.get(code);
            if (LONE_QUOTE.matcher(en).find()) {
                gaps.add(code + ": a lone apostrophe in the English text (double it)");
            }
            if (tr == null) {
                gaps.add(code + ": no " + locale.getLanguage() + " text");
            } else if (!args(tr).equals(args(en))) {
                gaps.add(code + ": placeholders " + args(tr) + " instead of " + args(en));
            } else if (LONE_QUOTE.matcher(tr).find()) {
                gaps.add(code + ": a lone apostrophe in the " + locale.getLanguage() + " text");
            }
        }
        other.keySet().stream().filter(c -> !english.containsKey(c)).forEach(c -> gaps.add(c + ": not an English code"));
        return gaps;
    }

    private static TreeSet<String> args(String pattern) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = ARG.matcher(pattern);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String[] strings(Object[] args) {
        return Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
    }

    private static Properties read(Function<String, InputStream> resources, String file) {
        try (InputStream in = resources.apply(file)) {
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
