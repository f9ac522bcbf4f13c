package dev.vantage.server.openapi;

import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the hand-written {@code openapi.yaml}; a test checks it lists exactly the routes of the route table. */
public final class OpenApiApi implements ApiModule {
    public static final String RESOURCE = "openapi.yaml";
    private final byte[] document;

    public OpenApiApi() {
        try (InputStream in = OpenApiApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routes(Routes routes) {
        routes.publicRoute(Method.GET, "/api/v1/openapi.yaml", this::document);
    }

    private void document(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml; charset=utf-8");
        res.send(document);
    }
}
