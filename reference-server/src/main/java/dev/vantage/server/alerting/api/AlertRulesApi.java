package dev.vantage.server.alerting.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.alerting.evaluation.AlertEngine;
import dev.vantage.server.alerting.evaluation.Preview;
import dev.vantage.server.alerting.rules.AlertRule;
import dev.vantage.server.alerting.rules.RuleJson;
import dev.vantage.server.alerting.rules.RuleStore;
import dev.vantage.server.alerting.rules.StoredRule;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Languages;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.http.Method;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code /api/v1/alert-rules}: viewers read, operators manage. Bodies are {@link RuleJson}'s form; answers add
 * {@code id}, {@code revision}, {@code createdBy}, {@code createdAt} and {@code updatedAt}, which may be sent back
 * unchanged ({@code revision} then guards against overwriting someone else's change).
 */
public final class AlertRulesApi implements ApiModule {
    private static final List<String> READ_ONLY = List.of("id", "createdBy", "createdAt", "updatedAt");

    /** Most results a preview judges, over all its tasks. */
    static final int PREVIEW_MAX_RESULTS = 200_000;

    /** Where a preview reads what happened: the tasks, and a task's stored results in a time range, oldest first. */
    public interface History {
        List<TaskSpec> tasks();

        List<Preview.Stored> results(String taskId, Instant from, Instant to, int max);
    }

    private final RuleStore rules;
    private final Predicate<String> channelExists;
    private final History history;
    private final Clock clock;

    /** @param channelExists whether a notification channel id is known */
    public AlertRulesApi(RuleStore rules, Predicate<String> channelExists, History history, Clock clock) {
        this.rules = rules;
        this.channelExists = channelExists;
        this.history = history;
        this.clock = clock;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/alert-rules", Role.VIEWER, (req, res) ->
                        Json.send(res, Map.of("items", rules.all().stream().map(AlertRulesApi::view).toList())))
                .post("/api/v1/alert-rules", Role.OPERATOR, this::create)
                .query(Method.POST, "/api/v1/alert-rules/preview", Role.OPERATOR, this::preview)
                .get("/api/v1/alert-rules/{id}", Role.VIEWER, (req, res) -> Json.send(res, view(rule(req))))
                .put("/api/v1/alert-rules/{id}", Role.OPERATOR, this::replace)
                .post("/api/v1/alert-rules/{id}/enable", Role.OPERATOR, (req, res) ->
                        Json.send(res, view(rules.setEnabled(id(req), true))))
                .post("/api/v1/alert-rules/{id}/disable", Role.OPERATOR, (req, res) ->
                        Json.send(res, view(rules.setEnabled(id(req), false))))
                .delete("/api/v1/alert-rules/{id}", Role.OPERATOR, (req, res) -> {
                    rules.delete(id(req));
                    res.status(Status.NO_CONTENT_204).send();
                })
                .describe("alert-rules", id -> rules.find(id).map(AlertRulesApi::view));
    }

    private void create(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.readObject(req);
        READ_ONLY.forEach(body::remove);
        body.remove("revision");
        StoredRule rule = rules.create(definition(body), Routes.principal(req).userId());
        res.header(HeaderNames.LOCATION, "/api/v1/alert-rules/" + rule.id());
        Json.send(res, Status.CREATED_201, view(rule));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        String id = id(req);
        ObjectNode body = Json.readObject(req);
        JsonNode sentId = body.get("id");
        List<FieldError> errors = new ArrayList<>();
        if (sentId != null && !sentId.isNull() && !sentId.asText().equals(id)) {
            errors.add(FieldError.of("id", "rule.idPath"));
        }
        JsonNode revisionNode = body.remove("revision");
        Long revision = null;
        if (revisionNode != null && !revisionNode.isNull()) {
            if (revisionNode.isIntegralNumber() && revisionNode.canConvertToLong()) {
                revision = revisionNode.longValue();
            } else {
                errors.add(FieldError.of("revision", "json.integer"));
            }
        }
        READ_ONLY.forEach(body::remove);
        RuleJson.Definition d;
        try {
            d = definition(body);
        } catch (InvalidInputException e) {
            errors.addAll(e.errors());
            throw new InvalidInputException(errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Json.send(res, view(rules.update(id, d, revision)));
    }

    /**
     * What a rule (the body, not stored) would have done over the last 24 hours of stored results of the tasks it
     * watches: the same judgement as the engine's, in simulated time.
     */
    private void preview(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.readObject(req);
        READ_ONLY.forEach(body::remove);
        body.remove("revision");
        RuleJson.Definition d = RuleJson.parse(body); // channels are not needed to preview
        AlertRule rule = d.rule("preview");
        Instant end = clock.instant();
        Instant start = end.minus(Duration.ofHours(24));
        java.util.Locale locale = Languages.of(req, res, Languages.SERVER);
        int budget = PREVIEW_MAX_RESULTS;
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (TaskSpec task : history.tasks()) {
            if (!d.tasks().matches(task) || budget == 0) {
                continue;
            }
            List<Preview.Stored> results = history.results(task.id(), start, end, budget);
            budget -= results.size();
            List<Map<String, Object>> transitions = Preview.run(rule, task.id(), results,
                    AlertEngine.staleAfter(rule), end).stream().map(t -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("kind", t.kind().name().toLowerCase(java.util.Locale.ROOT));
                        m.put("at", t.at());
                        m.put("summary", t.summary().in(locale));
                        m.put("badAgents", t.badAgents());
                        return m;
                    }).toList();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("taskId", task.id());
            m.put("results", results.size());
            m.put("transitions", transitions);
            tasks.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("from", start);
        out.put("to", end);
        out.put("truncated", budget == 0);
        out.put("tasks", tasks);
        Json.send(res, out);
    }

    /** Parses and checks that the channels exist. */
    private RuleJson.Definition definition(ObjectNode body) {
        RuleJson.Definition d = RuleJson.parse(body);
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < d.channelIds().size(); i++) {
            if (!channelExists.test(d.channelIds().get(i))) {
                errors.add(FieldError.of("channels[" + i + "]", "rule.noChannel"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return d;
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private StoredRule rule(ServerRequest req) {
        return rules.find(id(req)).orElseThrow(() -> new NotFoundException("alert rule"));
    }

    static Map<String, Object> view(StoredRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.putAll(RuleJson.toJson(r.definition()));
        m.put("revision", r.revision());
        m.put("createdBy", r.createdBy());
        m.put("createdAt", r.createdAt());
        m.put("updatedAt", r.updatedAt());
        return m;
    }
}
