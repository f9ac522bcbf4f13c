package dev.vantage.server.audit;

import dev.vantage.server.errors.Message;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/v1/audit}: who changed what, newest first (admin). There is no route that changes a row. */
public final class AuditApi implements ApiModule {
    private final AuditStore store;

    public AuditApi(AuditStore store) {
        this.store = store;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/audit", Role.ADMIN, this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        int limit = q.integer("limit", 50, 1, 500);
        int offset = q.integer("offset", 0, 0, Integer.MAX_VALUE);
        Instant from = q.instant("from");
        Instant to = q.instant("to");
        if (from != null && to != null && !from.isBefore(to)) {
            q.error("to", Message.of("time.afterFrom"));
        }
        q.check();
        AuditStore.Page page = store.list(new AuditStore.Filter(q.string("actor"), q.string("objectType"),
                q.string("objectId"), from, to), limit, offset);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(AuditApi::view).toList());
        body.put("total", page.total());
        body.put("limit", limit);
        body.put("offset", offset);
        Json.send(res, body);
    }

    private static Map<String, Object> view(AuditStore.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", e.at());
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("userId", e.actorUserId());
        actor.put("username", e.actorUsername());
        actor.put("apiTokenId", e.actorTokenId());
        m.put("actor", actor);
        m.put("clientAddress", e.clientAddress());
        m.put("action", e.action());
        m.put("objectType", e.objectType());
        m.put("objectId", e.objectId());
        m.put("status", e.status());
        m.put("before", e.before());
        m.put("after", e.after());
        return m;
    }
}
