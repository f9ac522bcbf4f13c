package dev.vantage.server.status;

import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Languages;
import dev.vantage.server.http.Revalidation;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code /api/v1/status-pages}: admins compose public status pages; {@code /api/v1/public/status/{slug}} shows one to
 * anyone, without credentials (the web UI's {@code /status/<slug>}), from {@link PublicStatus}'s memory.
 */
public final class StatusPagesApi implements ApiModule {
    /** Caches between here and the reader may keep the page as long as this server does. */
    private static final String CACHE_CONTROL = "public, max-age=" + PublicStatus.MAX_AGE.toSeconds();
    private final StatusPageStore pages;
    private final PublicStatus published;
    private final Predicate<String> taskExists;

    public StatusPagesApi(StatusPageStore pages, PublicStatus published, Predicate<String> taskExists) {
        this.pages = pages;
        this.published = published;
        this.taskExists = taskExists;
    }

    @Override
    public void routes(Routes routes) {
        String one = "/api/v1/status-pages/{id}";
        routes.get("/api/v1/status-pages", Role.ADMIN, (req, res) ->
                        Json.send(res, Map.of("items", pages.all().stream().map(StatusPagesApi::view).toList())))
                .post("/api/v1/status-pages", Role.ADMIN, this::create)
                .get(one, Role.ADMIN, (req, res) -> Json.send(res, view(page(req))))
                .put(one, Role.ADMIN, this::update)
                .delete(one, Role.ADMIN, (req, res) -> {
                    pages.delete(page(req).id());
                    published.forget();
                    res.status(Status.NO_CONTENT_204).send();
                })
                .describe("status-pages", id -> pages.find(id).map(StatusPagesApi::view))
                .publicRoute(Method.GET, "/api/v1/public/status/{slug}", (req, res) -> {
                    PublicStatus.View page = published(req, res);
                    Revalidation.send(req, res, page.body(), "application/json", page.etag(), CACHE_CONTROL);
                })
                .publicRoute(Method.GET, "/api/v1/public/status/{slug}/tasks/{task}", (req, res) -> {
                    Map<String, Object> task = published(req, res).tasks().get(req.path().pathParameters().get("task"));
                    if (task == null) {
                        throw new NotFoundException("task on this status page");
                    }
                    send(res, task);
                });
    }

    private PublicStatus.View published(ServerRequest req, ServerResponse res) {
        return published.view(req.path().pathParameters().get("slug"), Languages.of(req, res, Languages.SERVER))
                .orElseThrow(() -> new NotFoundException("status page"));
    }

    private void send(ServerResponse res, Object body) {
        res.header(HeaderNames.CACHE_CONTROL, CACHE_CONTROL);
        Json.send(res, body);
    }

    private void create(ServerRequest req, ServerResponse res) {
        StatusPage.Definition d = StatusPage.parse(Json.readObject(req), taskExists);
        slugFree(d.slug(), null);
        StatusPage p = pages.create(d);
        published.forget();
        res.header(HeaderNames.LOCATION, "/api/v1/status-pages/" + p.id());
        Json.send(res, Status.CREATED_201, view(p));
    }

    private void update(ServerRequest req, ServerResponse res) {
        String id = page(req).id();
        StatusPage.Definition d = StatusPage.parse(Json.readObject(req), taskExists);
        slugFree(d.slug(), id);
        StatusPage p = pages.update(id, d);
        published.forget();
        Json.send(res, view(p));
    }

    private void slugFree(String slug, String exceptId) {
        pages.bySlug(slug).filter(p -> !p.id().equals(exceptId)).ifPresent(p -> {
            throw new InvalidInputException(FieldError.of("slug", "status.slugTaken"));
        });
    }

    private StatusPage page(ServerRequest req) {
        return pages.find(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("status page"));
    }

    private static Map<String, Object> view(StatusPage p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.putAll(StatusPage.toJson(p.definition()));
        m.put("createdAt", p.createdAt());
        m.put("updatedAt", p.updatedAt());
        return m;
    }
}
