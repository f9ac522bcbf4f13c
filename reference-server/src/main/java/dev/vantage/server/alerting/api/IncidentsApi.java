package dev.vantage.server.alerting.api;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.alerting.incidents.Incident;
import dev.vantage.server.alerting.incidents.IncidentEvent;
import dev.vantage.server.alerting.incidents.IncidentStore;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Languages;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code /api/v1/incidents}: the newest first, each with its timeline; operators acknowledge (reminders stop) and
 * add notes.
 */
public final class IncidentsApi implements ApiModule {
    private final IncidentStore incidents;
    private final Consumer<IncidentStore.Recorded> changed;

    /** @param changed told of each entry people add (acknowledgements, notes), for the live feed */
    public IncidentsApi(IncidentStore incidents, Consumer<IncidentStore.Recorded> changed) {
        this.incidents = incidents;
        this.changed = changed;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/incidents", Role.VIEWER, this::list)
                .get("/api/v1/incidents/{id}", Role.VIEWER, (req, res) -> Json.send(res, detail(incident(req), locale(req, res))))
                .post("/api/v1/incidents/{id}/acknowledge", Role.OPERATOR, (req, res) -> {
                    IncidentEvent e = incidents.acknowledge(incident(req).id(), Routes.principal(req).username());
                    Incident now = incident(req);
                    changed.accept(new IncidentStore.Recorded(now, e));
                    Json.send(res, detail(now, locale(req, res)));
                })
                .post("/api/v1/incidents/{id}/notes", Role.OPERATOR, this::note)
                // the audit log keeps one language: English
                .describe("incidents", id -> incidents.find(id).map(i -> view(i, Locale.ENGLISH)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        int limit = q.integer("limit", 50, 1, 500);
        String state = q.string("state");
        String task = q.string("task");
        if (state != null && !List.of("open", "resolved", "all").contains(state)) {
            q.error("state", Message.of("incident.state"));
        }
        q.check();
        Boolean open = state == null || state.equals("all") ? null : state.equals("open");
        Locale locale = locale(req, res);
        Json.send(res, Map.of("items", incidents.list(open, task, limit).stream().map(i -> view(i, locale)).toList()));
    }

    private void note(ServerRequest req, ServerResponse res) {
        String id = incident(req).id();
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "text");
        String text = in.requiredString("text", 2000);
        if (text != null && text.isBlank()) {
            in.error("text", Message.of("text.notBlank"));
        }
        in.check();
        IncidentEvent e = incidents.note(id, Routes.principal(req).username(), text);
        Incident now = incident(req);
        changed.accept(new IncidentStore.Recorded(now, e));
        Json.send(res, Status.CREATED_201, detail(now, locale(req, res)));
    }

    private Incident incident(ServerRequest req) {
        return incidents.find(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("incident"));
    }

    /** Summaries are told in the caller's language. */
    private static Locale locale(ServerRequest req, ServerResponse res) {
        return Languages.of(req, res, Languages.SERVER);
    }

    private static Map<String, Object> view(Incident i, Locale locale) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("ruleId", i.ruleId());
        m.put("taskId", i.taskId());
        m.put("state", i.open() ? "open" : "resolved");
        m.put("startedAt", i.startedAt());
        m.put("resolvedAt", i.resolvedAt());
        m.put("acknowledgedBy", i.acknowledgedBy());
        m.put("acknowledgedAt", i.acknowledgedAt());
        m.put("summary", i.summary().in(locale));
        return m;
    }

    private Map<String, Object> detail(Incident i, Locale locale) {
        Map<String, Object> m = view(i, locale);
        m.put("timeline", incidents.events(i.id()).stream().map(e -> event(e, locale)).toList());
        return m;
    }

    private static Map<String, Object> event(IncidentEvent e, Locale locale) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", e.at());
        m.put("kind", e.kind());
        m.put("actor", e.actor());
        m.put("summary", e.summary().in(locale));
        m.put("badAgents", e.badAgents());
        m.put("evidence", e.evidence());
        m.put("silencedBy", e.silencedBy());
        return m;
    }
}
