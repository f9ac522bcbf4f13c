package dev.vantage.server.ui;

import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the web UI (the {@code vantage-ui} jar, built from {@code ui/}) at {@code /}: its files from the class
 * path, and {@code index.html} for any other GET a browser makes to a client-side route such as {@code /tasks/web},
 * so a reload or a shared link works. Paths under {@code /api/} and {@code /ws/} and the operations endpoints are
 * never answered here; they keep their problem+json 404. Without the UI jar on the class path this does nothing.
 */
public final class UiModule implements ApiModule {
    /** Where the UI jar keeps the built pages. */
    public static final String LOCATION = "META-INF/resources/vantage-ui";
    private static final String[] NOT_UI = {"/api/", "/ws/", "/health", "/ready", "/metrics"};

    private final byte[] index;

    public UiModule() {
        this.index = read(LOCATION + "/index.html");
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
        if (index == null) {
            return;
        }
        routing.register("/", StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                .location(LOCATION)
                .welcome("index.html")
                .build()));
        routing.route(Method.GET, "/*", this::spaFallback);
    }

    private void spaFallback(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        for (String prefix : NOT_UI) {
            if (path.startsWith(prefix)) {
                res.next();
                return;
            }
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (last.contains(".")) {
            res.next(); // a missing file (an old asset name), not a page: 404
            return;
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        res.send(index);
    }

    private static byte[] read(String resource) {
        try (InputStream in = UiModule.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
