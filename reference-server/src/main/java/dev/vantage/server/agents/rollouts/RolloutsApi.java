package dev.vantage.server.agents.rollouts;

import dev.vantage.probe.engine.Durations;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Languages;
import dev.vantage.server.http.Routes;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.Role;
import dev.vantage.server.tasks.Selector;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /api/v1/agent-rollouts}: start a rollout of an agent release, follow it agent by agent, cancel it (admins;
 * docs/agent-updates.md).
 */
public final class RolloutsApi implements ApiModule {
    static final Duration DEFAULT_AGENT_TIMEOUT = Duration.ofMinutes(10);

    private final RolloutStore store;
    private final Rollouts rollouts;

    public RolloutsApi(RolloutStore store, Rollouts rollouts) {
        this.store = store;
        this.rollouts = rollouts;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/agent-rollouts", Role.ADMIN, (req, res) -> {
                    Map<String, String> names = rollouts.names();
                    Locale locale = Languages.of(req, res, Languages.SERVER);
                    Json.send(res, Map.of("items", store.list().stream().map(r -> json(r, names, locale)).toList()));
                })
                .post("/api/v1/agent-rollouts", Role.ADMIN, (req, res) -> {
                    JsonInput in = JsonInput.of(Json.readObject(req), "version", "selector", "percent", "agentTimeout");
                    String version = in.requiredString("version", 64);
                    List<FieldError> errors = new ArrayList<>();
                    Selector selector = Selector.parse(in.node("selector"), errors);
                    in.errors(errors);
                    Long percent = in.optionalLong("percent");
                    if (percent != null && (percent < 1 || percent > 100)) {
                        in.error("percent", Message.of("rollout.percent"));
                    }
                    String timeoutText = in.optionalString("agentTimeout", 32);
                    Duration timeout = timeoutText == null ? DEFAULT_AGENT_TIMEOUT : in.duration("agentTimeout", timeoutText);
                    if (timeout != null && (timeout.compareTo(Duration.ofSeconds(10)) < 0
                            || timeout.compareTo(Duration.ofDays(1)) > 0)) {
                        in.error("agentTimeout", Message.of("rollout.agentTimeout"));
                    }
                    in.check();
                    Rollout r = rollouts.create(version, selector, percent == null ? 100 : percent.intValue(), timeout,
                            Routes.principal(req).username());
                    Json.send(res, Status.CREATED_201, json(r, rollouts.names(), Languages.of(req, res, Languages.SERVER)));
                })
                .get("/api/v1/agent-rollouts/{id}", Role.ADMIN, (req, res) ->
                        Json.send(res, json(find(req), rollouts.names(), Languages.of(req, res, Languages.SERVER))))
                .post("/api/v1/agent-rollouts/{id}/cancel", Role.ADMIN, (req, res) -> {
                    Rollout r = find(req);
                    rollouts.cancel(r.id(), Routes.principal(req).username());
                    Json.send(res, json(store.find(r.id()).orElseThrow(), rollouts.names(), Languages.of(req, res, Languages.SERVER)));
                })
                .describe("agent-rollouts", id -> store.find(id).map(r -> json(r, Map.of(), Locale.ENGLISH)));
    }

    private Rollout find(ServerRequest req) {
        return store.find(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("rollout"));
    }

    /** A rollout as the API shows it, its reasons told in {@code locale}. */
    static Map<String, Object> json(Rollout r, Map<String, String> names, Locale locale) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("version", r.version());
        m.put("selector", JsonMapping.parseStored(r.selector()));
        m.put("percent", r.percent());
        m.put("agentTimeout", Durations.format(r.agentTimeout()));
        m.put("state", r.state());
        m.put("wave", r.wave());
        m.put("reason", r.reason() == null ? null : r.reason().in(locale));
        m.put("createdBy", r.createdBy());
        m.put("createdAt", r.createdAt().toString());
        m.put("updatedAt", r.updatedAt().toString());
        m.put("progress", r.progress());
        m.put("agents", r.targets().stream().map(t -> t.toJson(names.getOrDefault(t.agentId(), t.agentId()), locale)).toList());
        return m;
    }

    @Override
    public void close() {
        rollouts.close();
    }
}
