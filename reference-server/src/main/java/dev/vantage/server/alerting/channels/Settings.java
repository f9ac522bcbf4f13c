package dev.vantage.server.alerting.channels;

import dev.vantage.server.errors.Message;
import dev.vantage.probe.engine.AddressPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.http.JsonInput;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Reads one channel's settings with {@link JsonInput} and the few kinds of value channels add (URLs, hosts, ports,
 * lists), collecting every problem so that one error names all bad fields, each as {@code settings.<name>}.
 */
final class Settings {
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    static final int MAX_URL = 2048;
    static final int MAX_SECRET = 256;
    private static final int MAX_ITEMS = 50;
    private static final int MAX_ITEM = 128;

    private final ObjectNode node;
    private final JsonInput in;

    private Settings(ObjectNode node, String... known) {
        this.node = Objects.requireNonNull(node, "settings");
        this.in = JsonInput.of(node, known);
    }

    /** Starts reading {@code node}, whose only allowed fields are {@code known}. */
    static Settings of(ObjectNode node, String... known) {
        return new Settings(node, known);
    }

    String requiredString(String field, int maxLength) {
        return nonBlank(field, in.requiredString(field, maxLength));
    }

    String optionalString(String field, int maxLength) {
        return nonBlank(field, in.optionalString(field, maxLength));
    }

    private String nonBlank(String field, String value) {
        if (value != null && value.isBlank()) {
            in.error(field, Message.of("text.notBlank"));
            return null;
        }
        return value;
    }

    <E extends Enum<E>> E optionalEnum(String field, Class<E> type, E otherwise) {
        E e = in.optionalEnum(field, type);
        return e == null ? otherwise : e;
    }

    /** An http or https URL with a host, no user info and an unambiguous host. */
    URI requiredUrl(String field) {
        String text = requiredString(field, MAX_URL);
        if (text == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            in.error(field, Message.of("url.invalid"));
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            in.error(field, Message.of("url.http"));
        } else if (uri.getHost() == null) {
            in.error(field, Message.of("url.host"));
        } else if (uri.getRawUserInfo() != null) {
            in.error(field, Message.of("url.credentials"));
        } else if (uri.getPort() == 0 || uri.getPort() > 65535) {
            in.error(field, Message.of("url.port"));
        } else if (hostProblem(uri.getHost()) != null) {
            in.error(field, hostProblem(uri.getHost()));
        } else {
            return uri;
        }
        return null;
    }

    /** A host name or an IP address (an IPv6 one without brackets). */
    String requiredHost(String field) {
        String host = requiredString(field, 253);
        Message problem = host == null ? null
                : host.indexOf(':') >= 0 ? (IPV6.matcher(host).matches() ? null : Message.of("host.ipv6"))
                : hostProblem(host);
        if (problem != null) {
            in.error(field, problem);
            return null;
        }
        return host;
    }

    /**
     * Why a host would be read differently by different parsers, or null. The JDK reads {@code 0177.0.0.1} as the
     * public 177.0.0.1 where curl and browsers read 127.0.0.1, so numeric hosts must be plain dotted quads.
     */
    private static Message hostProblem(String host) {
        if (AddressPolicy.isAmbiguousHost(host)) { // 0177.0.0.1, 127.1, 0x7f.1: the engine's one rule
            return Message.of("host.ambiguous");
        }
        if (host.startsWith("[")) {
            return null; // an IPv6 literal, which URI has already parsed (its IPv4 part is checked above)
        }
        return HOST_NAME.matcher(host).matches() ? null : Message.of("host.name");
    }

    /** A port 1-65535, or {@code otherwise} when missing. */
    int optionalPort(String field, int otherwise) {
        Long port = in.optionalLong(field);
        if (port == null) {
            return otherwise;
        }
        if (port < 1 || port > 65535) {
            in.error(field, Message.of("port.range"));
        }
        return port.intValue();
    }

    /** A list of non-blank strings; empty when missing. */
    List<String> stringList(String field, boolean required) {
        JsonNode v = node.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            if (required) {
                in.error(field, Message.of("json.required"));
            }
            return out;
        }
        if (!v.isArray() || v.size() > MAX_ITEMS) {
            in.error(field, Message.of("list.strings", MAX_ITEMS));
            return out;
        }
        for (JsonNode item : v) {
            if (!item.isTextual() || item.textValue().isBlank() || item.textValue().length() > MAX_ITEM) {
                in.error(field, Message.of("list.items", MAX_ITEM));
                return out;
            }
            out.add(item.textValue());
        }
        if (required && out.isEmpty()) {
            in.error(field, Message.of("list.notEmpty"));
        }
        return out;
    }

    /** Reports a problem found by the caller, with the others. */
    void error(String field, Message message) {
        in.error(field, message);
    }

    /** @throws InvalidInputException naming every problem, each field as {@code settings.<name>} */
    void check() {
        List<FieldError> errors = in.errors();
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors.stream()
                    .map(e -> e.under("settings.")).toList());
        }
    }
}
