package dev.vantage.server.ui;

import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import dev.vantage.server.http.Revalidation;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the web UI (the {@code vantage-ui} jar, built from {@code ui/}) at {@code /}: its files from the class
 * path, and {@code index.html} for any other GET a browser makes to a client-side route such as {@code /tasks/web},
 * so a reload or a shared link works. Paths under {@code /api/} and {@code /ws/} and the operations endpoints are
 * never answered here; they keep their problem+json 404. Without the UI jar on the class path this does nothing.
 *
 * <p>Files under {@code /assets/} have the hash of their content in their names (the build does that), so browsers
 * may keep them for a year without asking again; everything else is revalidated with its ETag and answered 304
 * without a body. (Helidon's own static-content handler logged a SEVERE line for every 304 it sent.)
 */
public final class UiModule implements ApiModule {
    /** Where the UI jar keeps the built pages. */
    public static final String LOCATION = "META-INF/resources/vantage-ui";
    private static final String[] NOT_UI = {"/api/", "/ws/", "/health", "/ready", "/metrics"};
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=UTF-8"), Map.entry("js", "text/javascript; charset=UTF-8"),
            Map.entry("css", "text/css; charset=UTF-8"), Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("ico", "image/x-icon"),
            Map.entry("webp", "image/webp"), Map.entry("woff2", "font/woff2"), Map.entry("woff", "font/woff"),
            Map.entry("txt", "text/plain; charset=UTF-8"), Map.entry("map", "application/json"));

    /** A file of the UI as served: its bytes, type and ETag. */
    private record File(byte[] bytes, String type, String etag) {
    }

    private final File index;
    /** Files read so far, by path; the UI is a few MB and never changes while the server runs. */
    private final Map<String, Optional<File>> files = new ConcurrentHashMap<>();

    public UiModule() {
        this.index = load("/index.html").orElse(null);
    }

    /** Whether the UI was found on the class path. */
    public boolean present() {
        return index != null;
    }

    @Override
    public void routes(Routes routes) {
        // static files only; nothing in the API's route table
    }

    @Override
    public void extraRouting(HttpRouting.Builder routing) {
        if (index != null) {
            routing.route(Method.GET, "/*", this::serve);
        }
    }

    private void serve(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        for (String prefix : NOT_UI) {
            if (path.startsWith(prefix)) {
                res.next();
                return;
            }
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (last.contains(".")) {
            Optional<File> file = path.contains("..") ? Optional.empty() : files.computeIfAbsent(path, this::load);
            if (file.isEmpty()) {
                res.next(); // a missing file (an old asset name), not a page: 404
                return;
            }
            send(req, res, file.get(), path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
            return;
        }
        send(req, res, index, "no-cache"); // the page of a client-side route
    }

    private static void send(ServerRequest req, ServerResponse res, File file, String cacheControl) {
        Revalidation.send(req, res, file.bytes(), file.type(), file.etag(), cacheControl);
    }

    private Optional<File> load(String path) {
        String resource = LOCATION + path;
        try (InputStream in = UiModule.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = path.substring(path.lastIndexOf('.') + 1);
            return Optional.of(new File(bytes, TYPES.getOrDefault(extension, "application/octet-stream"), Revalidation.etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

}
