package dev.vantage.probe.plugin.support;

import java.util.HexFormat;

/**
 * Bytes as users write them in parameters (hex) and as messages show them. Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class Bytes {
    /**
     * A regular expression for {@link dev.vantage.probe.spi.ParameterSpec.Builder#pattern(String)} that accepts
     * what {@link #hex(String)} reads, so the engine refuses bad hex before the plugin sees it.
     *
     * @since 0.1
     */
    public static final String HEX_PATTERN = "\\s*([0-9A-Fa-f]{2}\\s*)*";

    private static final int SHOWN = 64;

    private Bytes() {
    }

    /**
     * Parses hex digits in pairs, either case; whitespace anywhere is ignored ({@code "de ad BE EF"}).
     *
     * @return the bytes; empty for blank text
     * @throws IllegalArgumentException if the text is not hex, with a reason fit for a config problem
     * @since 0.1
     */
    public static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw ProblemTexts.SUPPORT.invalid("support.hex", e.getMessage());
        }
    }

    /**
     * Received bytes for a message, quoted: printable ASCII as is, {@code \r \n \t \\ \'} escaped, other bytes as
     * {@code \xNN}; more than 64 bytes are cut, with the total length appended, e.g. {@code 'ab\x00'} or
     * {@code 'xx...'... (100 bytes)}.
     *
     * @param length how many bytes of {@code data} were received
     * @since 0.1
     */
    public static String show(byte[] data, int length) {
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
}
