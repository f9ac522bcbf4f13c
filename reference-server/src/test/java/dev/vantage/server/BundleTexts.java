package dev.vantage.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading the server's message bundles in tests: each pattern's placeholders, to compare translations. */
public final class BundleTexts {
    private static final Pattern ARG = Pattern.compile("\\{(\\d+)");

    private BundleTexts() {
    }

    /** The bundle file {@code name} next to {@code anchor}, read as UTF-8. */
    public static Properties load(Class<?> anchor, String name) {
        Properties p = new Properties();
        try (InputStream in = anchor.getResourceAsStream(name)) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The argument numbers a pattern uses: {@code {0}}, {@code {1,number}} … */
    public static TreeSet<String> args(String pattern) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = ARG.matcher(pattern);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
