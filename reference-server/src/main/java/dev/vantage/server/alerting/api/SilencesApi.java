package dev.vantage.server.alerting.api;

import dev.vantage.server.errors.FieldError;
import dev.vantage.server.alerting.silences.Silence;
import dev.vantage.server.alerting.silences.SilenceJson;
import dev.vantage.server.alerting.silences.SilenceStore;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code /api/v1/silences}: maintenance windows and one-off silences. Viewers read, operators add and remove. A
 * silence that repeats one already there (same tasks and rule, overlapping time) is refused.
 */
public final class SilencesApi implements ApiModule {
    private final SilenceStore silences;

    public SilencesApi(SilenceStore silences) {
        this.silences = silences;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/silences", Role.VIEWER, (req, res) ->
                        Json.send(res, Map.of("items", silences.all().stream().map(SilencesApi::view).toList())))
                .post("/api/v1/silences", Role.OPERATOR, this::create)
                .get("/api/v1/silences/{id}", Role.VIEWER, (req, res) -> Json.send(res, view(silence(req))))
                .delete("/api/v1/silences/{id}", Role.OPERATOR, (req, res) -> {
                    silences.delete(silence(req).id());
                    res.status(Status.NO_CONTENT_204).send();
                })
                .describe("silences", id -> silences.find(id).map(SilencesApi::view));
    }

    private void create(ServerRequest req, ServerResponse res) {
        SilenceJson.Definition d = SilenceJson.parse(Json.readObject(req));
        for (Silence s : silences.all()) {
            if (s.tasks().equals(d.tasks()) && Objects.equals(s.ruleId(), d.ruleId()) && overlap(s.when(), d.when())) {
                String field = d.when() instanceof Silence.Once ? "once" : "weekly";
                throw new InvalidInputException(FieldError.of(field, "silence.overlap", s.id()));
            }
        }
        Silence s = silences.create(d, Routes.principal(req).userId());
        res.header(HeaderNames.LOCATION, "/api/v1/silences/" + s.id());
        Json.send(res, Status.CREATED_201, view(s));
    }

    /** Whether two windows of the same kind share a moment (windows of different kinds are not compared). */
    private static boolean overlap(Silence.When a, Silence.When b) {
        if (a instanceof Silence.Once x && b instanceof Silence.Once y) {
            return x.from().isBefore(y.until()) && y.from().isBefore(x.until());
        }
        if (a instanceof Silence.Weekly x && b instanceof Silence.Weekly y) {
            return x.zone().equals(y.zone()) && !Collections.disjoint(x.days(), y.days())
                    && x.from().isBefore(y.to()) && y.from().isBefore(x.to());
        }
        return false;
    }

    private Silence silence(ServerRequest req) {
        return silences.find(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("silence"));
    }

    private static Map<String, Object> view(Silence s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.putAll(SilenceJson.toJson(new SilenceJson.Definition(s.tasks(), s.ruleId(), s.when(), s.comment())));
        m.put("createdBy", s.createdBy());
        m.put("createdAt", s.createdAt());
        return m;
    }
}
