package dev.vantage.probe.engine.internal;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
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
            } else if (c == '~' && i + 1 < expression.length() && "01".indexOf(expression.charAt(i + 1)) >= 0) {
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
        return node instanceof Map<?, ?> || node instanceof List<?> ? compact(node) : text(node);
    }

    /**
     * A text read as a list, for the list ops of assertions: the elements of a JSON array (each as {@link #select}
     * would give it: a scalar's text, compact JSON for an object or array), or else the whole text as one element.
     */
    public static List<String> elements(String text) {
        Object node;
        try {
            node = new Reader(text).root();
        } catch (IllegalArgumentException e) {
            return List.of(text);
        }
        if (!(node instanceof List<?> array)) {
            return List.of(text);
        }
        List<String> elements = new ArrayList<>(array.size());
        for (Object e : array) {
            elements.add(e instanceof Map<?, ?> || e instanceof List<?> ? compact(e) : text(e));
        }
        return elements;
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

    /** A scalar as its text, as Jackson's {@code asText()} gave it. */
    private static String text(Object value) {
        return value == NULL ? "null" : value instanceof Double d ? Double.toString(d) : value.toString();
    }

    /**
     * An object or array as compact JSON. Without recursion, like the reader: {@code open} holds an iterator over
     * the members of each object and array being written, {@code closers} the bracket that ends it.
     */
    private static String compact(Object root) {
        StringBuilder out = new StringBuilder();
        Deque<Iterator<?>> open = new ArrayDeque<>();
        Deque<Character> closers = new ArrayDeque<>();
        Object next = root;
        while (true) {
            if (next instanceof Map<?, ?> object) {
                out.append('{');
                open.push(object.entrySet().iterator());
                closers.push('}');
            } else if (next instanceof List<?> array) {
                out.append('[');
                open.push(array.iterator());
                closers.push(']');
            } else if (next instanceof String string) {
                quote(string, out);
            } else if (next instanceof Double d && !Double.isFinite(d)) {
                quote(d.toString(), out); // JSON has no such numbers: Jackson wrote them as strings
            } else {
                out.append(text(next));
            }
            // the next member to write, after closing each object and array that has none left
            next = null;
            while (next == null && !open.isEmpty()) {
                Iterator<?> members = open.peek();
                if (!members.hasNext()) {
                    open.pop();
                    out.append(closers.pop());
                    continue;
                }
                char last = out.charAt(out.length() - 1);
                if (last != '{' && last != '[') { // not the first member: no written value ends with these
                    out.append(',');
                }
                Object member = members.next();
                if (member instanceof Map.Entry<?, ?> e) {
                    quote((String) e.getKey(), out);
                    out.append(':');
                    next = e.getValue();
                } else {
                    next = member;
                }
            }
            if (next == null) {
                return out.toString();
            }
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

    /** A strict reader of one JSON value (RFC 8259, no extensions). */
    private static final class Reader {
        private final String in;
        private int pos;

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

        /**
         * Reads one value. Without recursion, so that the deepest nesting Jackson allows needs no deep stack on the
         * (virtual) thread that evaluates assertions: {@code open} holds the objects and arrays being read,
         * {@code names} the member name each open object is waiting to fill.
         */
        private Object value() {
            Deque<Object> open = new ArrayDeque<>();
            Deque<String> names = new ArrayDeque<>();
            while (true) {
                Object value;
                char c = peek();
                if (c == '{' || c == '[') {
                    pos++;
                    if (open.size() >= MAX_DEPTH) {
                        throw fail();
                    }
                    Object container = c == '{' ? new LinkedHashMap<String, Object>() : new ArrayList<>();
                    skipSpace();
                    if (peek() != close(container)) {
                        open.push(container);
                        if (c == '{') {
                            names.push(name());
                        }
                        continue;
                    }
                    pos++;
                    value = container;
                } else {
                    value = scalar();
                }
                // put the value into the open container; each container it completes goes into the one around it
                while (true) {
                    if (open.isEmpty()) {
                        return value;
                    }
                    Object parent = open.peek();
                    if (parent instanceof Map<?, ?>) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> object = (Map<String, Object>) parent;
                        object.put(names.pop(), value);
                    } else {
                        @SuppressWarnings("unchecked")
                        List<Object> array = (List<Object>) parent;
                        array.add(value);
                    }
                    skipSpace();
                    if (peek() != close(parent)) {
                        expect(',');
                        skipSpace();
                        if (parent instanceof Map<?, ?>) {
                            names.push(name());
                        }
                        break;
                    }
                    pos++;
                    value = open.pop();
                }
            }
        }

        private static char close(Object container) {
            return container instanceof Map<?, ?> ? '}' : ']';
        }

        /** A member name and its colon. */
        private String name() {
            if (peek() != '"') {
                throw fail();
            }
            String name = string(MAX_NAME_LENGTH);
            skipSpace();
            expect(':');
            skipSpace();
            return name;
        }

        private Object scalar() {
            if (pos == in.length()) {
                throw fail();
            }
            return switch (in.charAt(pos)) {
                case '"' -> string(MAX_STRING_LENGTH);
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", NULL);
                default -> number();
            };
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
