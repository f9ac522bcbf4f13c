package dev.vantage.probe.engine.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 6901 JSON pointer, and the value it points at in a JSON text: what an assertion with a {@code jsonPointer}
 * compares. This is the only JSON the engine reads, so it carries this small strict reader rather than make every
 * embedder inherit a JSON library. It answers exactly as Jackson's {@code readTree(json).at(pointer)} did when the
 * engine used it: the text of a scalar, compact JSON for an object or array, nothing ({@code null}) when the pointer
 * leads nowhere or the text is not JSON; content after the first JSON value is ignored; a duplicate key keeps its
 * first place and its last value; and Jackson's default limits apply (nesting, number and string lengths).
 */
public final class JsonPointer {
    private static final int MAX_DEPTH = 1000;
    private static final int MAX_NUMBER_LENGTH = 1000;
    private static final int MAX_NAME_LENGTH = 50_000;
    private static final int MAX_STRING_LENGTH = 20_000_000;
    private static final Object NULL = new Object();

    private final List<String> tokens;

    private JsonPointer(List<String> tokens) {
        this.tokens = tokens;
    }

    /** @throws IllegalArgumentException if the expression is neither empty nor starts with {@code /} */
    public static JsonPointer compile(String expression) {
        List<String> tokens = new ArrayList<>();
        if (expression == null || expression.isEmpty()) {
            return new JsonPointer(tokens);
        }
        if (expression.charAt(0) != '/') {
            throw new IllegalArgumentException("Invalid input: JSON Pointer expression must start with '/': \""
                    + expression + "\"");
        }
        StringBuilder token = new StringBuilder();
        for (int i = 1; i <= expression.length(); i++) {
            char c = i < expression.length() ? expression.charAt(i) : '/';
            if (c == '/') {
                tokens.add(token.toString());
                token.setLength(0);
            } else if (c == '~' && i + 1 < expression.length() && (expression.charAt(i + 1) == '0' || expression.charAt(i + 1) == '1')) {
                token.append(expression.charAt(++i) == '0' ? '~' : '/');
            } else {
                token.append(c); // a '~' that starts no escape stays as it is
            }
        }
        return new JsonPointer(tokens);
    }

    /** The value this pointer selects in {@code json}, or {@code null} if there is none or the text is not JSON. */
    public String select(String json) {
        Object node;
        try {
            node = new Reader(json).root();
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (node == null) {
            return null; // the text is empty
        }
        for (String token : tokens) {
            if (node instanceof Map<?, ?> object) {
                node = object.get(token);
            } else if (node instanceof List<?> array) {
                int i = index(token);
                node = i >= 0 && i < array.size() ? array.get(i) : null;
            } else {
                node = null;
            }
            if (node == null) {
                return null;
            }
        }
        if (node instanceof Map<?, ?> || node instanceof List<?>) {
            StringBuilder out = new StringBuilder();
            write(node, out);
            return out.toString();
        }
        return node == NULL ? "null" : scalar(node);
    }

    /** An array index: digits without a leading zero that fit an int; -1 otherwise. */
    private static int index(String token) {
        if (token.isEmpty() || token.length() > 10 || (token.length() > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return -1;
            }
        }
        long value = Long.parseLong(token);
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }

    private static String scalar(Object value) {
        return value instanceof Double d ? Double.toString(d) : value.toString();
    }

    private static void write(Object node, StringBuilder out) {
        if (node instanceof Map<?, ?> object) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : object.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                quote((String) e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (node instanceof List<?> array) {
            out.append('[');
            for (int i = 0; i < array.size(); i++) {
                out.append(i == 0 ? "" : ",");
                write(array.get(i), out);
            }
            out.append(']');
        } else if (node instanceof String s) {
            quote(s, out);
        } else if (node instanceof Double d && !Double.isFinite(d)) {
            quote(d.toString(), out); // JSON has no such numbers: written as strings
        } else {
            out.append(node == NULL ? "null" : scalar(node));
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A strict recursive-descent reader of one JSON value (RFC 8259, no extensions). */
    private static final class Reader {
        private final String in;
        private int pos;
        private int depth;

        Reader(String in) {
            this.in = in;
        }

        /** The first value of the text, or {@code null} for a text of only whitespace. */
        Object root() {
            skipSpace();
            if (pos == in.length()) {
                return null;
            }
            char c = in.charAt(pos);
            Object value = value();
            if (c == '-' || (c >= '0' && c <= '9')) {
                // a number at the root must be followed by whitespace or the end, or "12abc" would read as 12
                if (pos < in.length() && " \t\r\n".indexOf(in.charAt(pos)) < 0) {
                    throw fail();
                }
            }
            return value;
        }

        private Object value() {
            if (pos == in.length()) {
                throw fail();
            }
            char c = in.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string(MAX_STRING_LENGTH);
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", NULL);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            enter();
            Map<String, Object> object = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
            } else {
                while (true) {
                    if (peek() != '"') {
                        throw fail();
                    }
                    String name = string(MAX_NAME_LENGTH);
                    skipSpace();
                    expect(':');
                    skipSpace();
                    object.put(name, value());
                    skipSpace();
                    if (peek() == '}') {
                        pos++;
                        break;
                    }
                    expect(',');
                    skipSpace();
                }
            }
            depth--;
            return object;
        }

        private List<Object> array() {
            enter();
            List<Object> array = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                pos++;
            } else {
                while (true) {
                    array.add(value());
                    skipSpace();
                    if (peek() == ']') {
                        pos++;
                        break;
                    }
                    expect(',');
                    skipSpace();
                }
            }
            depth--;
            return array;
        }

        private void enter() {
            pos++;
            if (++depth > MAX_DEPTH) {
                throw fail();
            }
        }

        private String string(int maxLength) {
            pos++;
            StringBuilder s = new StringBuilder();
            while (true) {
                if (pos == in.length()) {
                    throw fail();
                }
                char c = in.charAt(pos++);
                if (c == '"') {
                    break;
                }
                if (c < 0x20) {
                    throw fail();
                }
                if (c == '\\') {
                    if (pos == in.length()) {
                        throw fail();
                    }
                    char e = in.charAt(pos++);
                    switch (e) {
                        case '"', '\\', '/' -> s.append(e);
                        case 'b' -> s.append('\b');
                        case 't' -> s.append('\t');
                        case 'n' -> s.append('\n');
                        case 'f' -> s.append('\f');
                        case 'r' -> s.append('\r');
                        case 'u' -> {
                            if (pos + 4 > in.length()) {
                                throw fail();
                            }
                            int code = 0;
                            for (int i = 0; i < 4; i++) {
                                int digit = Character.digit(in.charAt(pos++), 16);
                                if (digit < 0) {
                                    throw fail();
                                }
                                code = code * 16 + digit;
                            }
                            s.append((char) code);
                        }
                        default -> throw fail();
                    }
                } else {
                    s.append(c);
                }
                if (s.length() > maxLength) {
                    throw fail();
                }
            }
            return s.toString();
        }

        private Object literal(String word, Object value) {
            if (!in.startsWith(word, pos)) {
                throw fail();
            }
            pos += word.length();
            char next = peek();
            if (next >= '0' && next != ']' && next != '}' && Character.isJavaIdentifierPart(next)) {
                throw fail(); // "truex" is an unknown token, not true followed by x
            }
            return value;
        }

        private Object number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int intStart = pos;
            int intDigits = digits();
            if (intDigits == 0 || (intDigits > 1 && in.charAt(intStart) == '0')) {
                throw fail();
            }
            int fracDigits = 0;
            int expDigits = 0;
            if (peek() == '.') {
                pos++;
                fracDigits = digits();
                if (fracDigits == 0) {
                    throw fail();
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                expDigits = digits();
                if (expDigits == 0) {
                    throw fail();
                }
            }
            String text = in.substring(start, pos);
            if (fracDigits == 0 && expDigits == 0) {
                if (intDigits > MAX_NUMBER_LENGTH) {
                    throw fail();
                }
                return new BigInteger(text);
            }
            // Jackson counts the digits, the point and the 'e' of a fractional number, not its signs
            int length = intDigits + fracDigits + expDigits + (fracDigits > 0 ? 1 : 0) + (expDigits > 0 ? 1 : 0);
            if (length > MAX_NUMBER_LENGTH + 2) {
                throw fail();
            }
            return Double.parseDouble(text);
        }

        private int digits() {
            int start = pos;
            while (pos < in.length() && in.charAt(pos) >= '0' && in.charAt(pos) <= '9') {
                pos++;
            }
            return pos - start;
        }

        private void skipSpace() {
            while (pos < in.length() && " \t\r\n".indexOf(in.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private char peek() {
            return pos < in.length() ? in.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c || pos == in.length()) {
                throw fail();
            }
            pos++;
        }

        private IllegalArgumentException fail() {
            return new IllegalArgumentException("not JSON at offset " + pos);
        }
    }
}
