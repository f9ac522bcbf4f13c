package dev.vantage.server.tasks;

import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.engine.PluginJar;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.server.security.Role;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Languages;
import dev.vantage.server.http.Routes;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /api/v1/plugins}: the installed probe types and their parameters, for forms in the UI, in the language
 * the client asks for ({@code Accept-Language}) where a plugin has texts in it, in the plugin's own (English) where not;
 * a type from a plugin jar names its jar (file, name, version, SHA-256).
 */
public final class PluginsApi implements ApiModule {
    private final ProbeEngine engine;
    private final Map<String, PluginJar> jarOfType = new HashMap<>();

    public PluginsApi(ProbeEngine engine, List<PluginJar> jars) {
        this.engine = engine;
        jars.forEach(j -> j.types().forEach(t -> jarOfType.put(t, j)));
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/plugins", Role.VIEWER, this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Locale locale = Languages.of(req, res, offered());
        List<Map<String, Object>> items = engine.descriptors().values().stream()
                .map(d -> {
                    Map<String, Object> m = describe(d.localize(locale));
                    m.put("jar", jar(jarOfType.get(d.type())));
                    return m;
                }).toList();
        Json.send(res, Map.of("items", items));
    }

    /** English and every language some plugin has texts in. */
    private List<Locale> offered() {
        List<Locale> offered = new ArrayList<>(List.of(Locale.ENGLISH));
        engine.descriptors().values().forEach(d -> d.locales().stream().filter(l -> !offered.contains(l)).forEach(offered::add));
        return offered;
    }

    static Map<String, Object> describe(ProbeDescriptor d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", d.type());
        m.put("displayName", d.displayName());
        m.put("description", d.description());
        m.put("version", d.version());
        m.put("target", d.targetDescription());
        m.put("parameters", d.parameters().stream().map(PluginsApi::describe).toList());
        return m;
    }

    /** Null for a type on the class path (built in, or added to it by hand). */
    private static Map<String, Object> jar(PluginJar jar) {
        if (jar == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", jar.path().getFileName().toString());
        m.put("name", jar.name());
        m.put("version", jar.version());
        m.put("sha256", jar.sha256());
        return m;
    }

    private static Map<String, Object> describe(ParameterSpec p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("type", p.type().name().toLowerCase(Locale.ROOT));
        m.put("description", p.description());
        m.put("default", p.secret() ? null : plain(p.defaultValue()));
        m.put("required", p.required());
        m.put("secret", p.secret());
        m.put("min", p.min());
        m.put("max", p.max());
        m.put("allowedValues", p.allowedValues());
        m.put("pattern", p.pattern());
        return m;
    }

    /** Defaults in the form a task spec would write them: durations as "5s", enums by name. */
    private static Object plain(Object value) {
        return switch (value) {
            case Duration d -> Durations.format(d);
            case Enum<?> e -> e.name();
            case null, default -> value;
        };
    }
}
