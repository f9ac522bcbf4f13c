package dev.vantage.plugins.tcp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** What a reply must contain: a regular expression found in its text (UTF-8), or a byte prefix. */
final class Expectation {
    private static final int SHOWN = 64;

    private final Pattern regex;
    private final byte[] prefix;

    private Expectation(Pattern regex, byte[] prefix) {
        this.regex = regex;
        this.prefix = prefix;
    }

    /** @throws java.util.regex.PatternSyntaxException if the expression is invalid */
    static Expectation regex(String regex) {
        return new Expectation(Pattern.compile(regex), null);
    }

    static Expectation prefix(byte[] prefix) {
        return new Expectation(null, prefix.clone());
    }

    /**
     * Hex digits in pairs; whitespace between them is ignored.
     *
     * @throws IllegalArgumentException if the text is not hex
     */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    boolean matches(byte[] data, int length) {
        if (regex != null) {
            return regex.matcher(new String(data, 0, length, StandardCharsets.UTF_8)).find();
        }
        return length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** True once more data cannot change whether {@link #matches} holds (a prefix is decided by its length). */
    boolean decided(int length) {
        return prefix != null && length >= prefix.length;
    }

    /** Received bytes for an error message: printable ASCII as is, the rest escaped, long data cut short. */
    static String show(byte[] data, int length) {
        StringBuilder s = new StringBuilder("'");
        for (int i = 0; i < Math.min(length, SHOWN); i++) {
            int b = data[i] & 0xff;
            switch (b) {
                case '\r' -> s.append("\\r");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\\', '\'' -> s.append('\\').append((char) b);
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        s.append((char) b);
                    } else {
                        s.append("\\x").append(HexFormat.of().toHexDigits((byte) b));
                    }
                }
            }
        }
        s.append('\'');
        return length > SHOWN ? s + "... (" + length + " bytes)" : s.toString();
    }

    @Override
    public String toString() {
        return regex != null ? "expect /" + regex.pattern() + "/" : "expectHex " + HexFormat.of().formatHex(prefix);
    }
}
