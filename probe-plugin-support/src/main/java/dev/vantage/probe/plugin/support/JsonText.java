package dev.vantage.probe.plugin.support;

/**
 * JSON text for structured attributes (an attribute whose value is a JSON array or object, documented in
 * result-json.md), written without a JSON library: plugins see the SPI and the JDK only.
 *
 * @since 0.1
 */
public final class JsonText {
    private JsonText() {
    }

    /** Appends {@code s} as a JSON string: quoted, with quotes, backslashes and control characters escaped. */
    public static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
