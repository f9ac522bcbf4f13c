package dev.vantage.server.openapi;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;

/**
 * The answers openapi.yaml documents: for a method, path template and status, whether the answer is documented, has
 * the documented media type, and a body that the documented schema accepts. Schemas are checked as OpenAPI 3.1 says
 * (JSON Schema 2020-12), with {@code format} asserted, so a date-time must be one.
 */
final class OpenApiContract {
    private static final String DOCUMENT = "classpath:openapi.yaml";
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

    private final Map<String, Object> document;
    private final SchemaRegistry registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(), b -> b
            .schemaLoader(loader -> loader.fetchRemoteResources(false))
            .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    /** "GET /api/v1/tasks/{id} 200" for each answer checked so far. */
    private final Set<String> checked = new TreeSet<>();

    private OpenApiContract(Map<String, Object> document) {
        this.document = document;
    }

    static OpenApiContract load() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
            return new OpenApiContract(new Yaml().load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is wrong with this answer to {@code method template}; empty when it is as documented.
     *
     * @param contentType the answer's Content-Type header, "" for none
     */
    List<String> problems(String method, String template, int status, String contentType, String body) {
        String key = method.toUpperCase(Locale.ROOT) + " " + template + " " + status;
        Map<String, Object> operation = map(map(map(document.get("paths")).get(template)).get(method.toLowerCase(Locale.ROOT)));
        if (operation.isEmpty()) {
            return List.of(key + ": no such operation in openapi.yaml");
        }
        String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + status;
        Map<String, Object> response = map(map(operation.get("responses")).get(String.valueOf(status)));
        if (response.isEmpty()) {
            return List.of(key + ": status not documented");
        }
        if (response.get("$ref") instanceof String ref) { // a shared answer under components/responses
            pointer = ref.substring(1);
            response = resolve(pointer);
        }
        checked.add(key);
        Map<String, Object> content = map(response.get("content"));
        if (content.isEmpty()) {
            return body.isEmpty() ? List.of() : List.of(key + ": documented without a body, got " + body);
        }
        String mediaType = contentType.replaceFirst(";.*", "").trim().toLowerCase(Locale.ROOT);
        if (!content.containsKey(mediaType)) {
            return List.of(key + ": media type '" + contentType + "', documented " + content.keySet());
        }
        if (!mediaType.endsWith("json")) {
            return List.of();
        }
        Schema schema = registry.getSchema(SchemaLocation.of(DOCUMENT + "#" + pointer + "/content/" + escape(mediaType) + "/schema"));
        List<String> problems = new ArrayList<>();
        schema.validate(body, InputFormat.JSON).forEach(e -> problems.add(key + ": " + e));
        return problems;
    }

    /** The answers checked so far, as "METHOD template status". */
    Set<String> checked() {
        return checked;
    }

    /** Every documented success answer with a JSON body, as "METHOD template status". */
    Set<String> jsonSuccesses() {
        Set<String> out = new TreeSet<>();
        map(document.get("paths")).forEach((path, item) -> map(item).forEach((method, op) -> {
            if (METHODS.contains(method)) {
                map(map(op).get("responses")).forEach((status, response) -> {
                    Map<String, Object> r = response instanceof Map<?, ?> m && m.get("$ref") instanceof String ref
                            ? resolve(ref.substring(1)) : map(response);
                    if (status.startsWith("2") && map(r.get("content")).containsKey("application/json")) {
                        out.add(method.toUpperCase(Locale.ROOT) + " " + path + " " + status);
                    }
                });
            }
        }));
        return out;
    }

    /**
     * Keys of the document that have no value, as JSON pointers. In YAML an unquoted comma inside a flow mapping
     * ({@code {description: a, b}}) cuts the text short and makes "b" such a key, silently.
     */
    List<String> keysWithoutValue() {
        List<String> out = new ArrayList<>();
        collectKeysWithoutValue(document, "", out);
        return out;
    }

    private static void collectKeysWithoutValue(Object node, String pointer, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                String p = pointer + "/" + escape(String.valueOf(k));
                if (v == null) {
                    out.add(p);
                }
                collectKeysWithoutValue(v, p, out);
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectKeysWithoutValue(list.get(i), pointer + "/" + i, out);
            }
        }
    }

    private Map<String, Object> resolve(String pointer) {
        Object node = document;
        for (String part : pointer.substring(1).split("/")) {
            node = map(node).get(part.replace("~1", "/").replace("~0", "~"));
        }
        return map(node);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** A JSON pointer token (RFC 6901). */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
