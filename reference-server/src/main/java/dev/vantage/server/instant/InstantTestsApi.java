package dev.vantage.server.instant;

import dev.vantage.server.errors.Message;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotFoundException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.json.TaskSpecJson;
import dev.vantage.server.security.Role;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Routes;
import dev.vantage.server.tasks.EngineProblems;
import dev.vantage.server.tasks.SecretParams;
import dev.vantage.server.tasks.Selector;
import io.helidon.http.Method;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /api/v1/instant-tests}: run one probe now from every matching agent. The answer lists the agents asked;
 * their results arrive on {@code /ws/live} as {@code instant} events and can be read back here.
 */
public final class InstantTestsApi implements ApiModule {
    private final InstantTests instants;
    private final ProbeEngine engine;

    public InstantTestsApi(InstantTests instants, ProbeEngine engine) {
        this.instants = instants;
        this.engine = engine;
    }

    @Override
    public void routes(Routes routes) {
        // probes now and keeps the answers a while; it changes no configuration, so it is not audited
        routes.query(Method.POST, "/api/v1/instant-tests", Role.OPERATOR, this::start)
                .get("/api/v1/instant-tests/{id}", Role.VIEWER, this::read);
    }

    private void start(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.readObject(req);
        List<FieldError> errors = new ArrayList<>();
        Selector selector = Selector.parse(body.remove("selector"), errors);
        TaskSpec spec = null;
        try {
            spec = TaskSpecJson.parse(body);
        } catch (InvalidTaskException e) {
            e.problems().forEach(p -> errors.add(EngineProblems.ofJson(p)));
        }
        if (spec != null) {
            if (spec.interval() != null) {
                errors.add(FieldError.of("interval", "instant.interval"));
            }
            // the id is the server's; validate with a placeholder so a missing id is not reported
            spec = spec.toBuilder().id(UUID.randomUUID().toString()).interval(null).build();
            String type = spec.type();
            engine.validate(spec).forEach(p -> errors.add(EngineProblems.of(engine, p, type)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        InstantTestStore.Started started = instants.start(spec, selector, Routes.principal(req).userId());
        if (started.agentIds().isEmpty()) {
            throw new ConflictException(Message.of("instant.noAgent", spec.type()));
        }
        res.header(HeaderNames.LOCATION, "/api/v1/instant-tests/" + started.id());
        Json.send(res, Status.CREATED_201, view(started));
    }

    private void read(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Json.send(res, view(instants.get(id).orElseThrow(() -> new NotFoundException("instant test"))));
    }

    /** The test with each asked agent's answer so far; secret parameters masked. */
    private Map<String, Object> view(InstantTestStore.Started t) {
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        instants.answers(t.id()).forEach(a -> answers.put(a.agentId(), JsonMapping.parseStored(a.resultJson())));
        List<Map<String, Object>> asked = new ArrayList<>();
        for (String agentId : t.agentIds()) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("agentId", agentId);
            Optional<InstantTests.Agent> agent = instants.agent(agentId);
            a.put("name", agent.map(InstantTests.Agent::name).orElse(""));
            a.put("labels", agent.map(InstantTests.Agent::labels).orElse(Map.of()));
            a.put("result", answers.get(agentId));
            asked.add(a);
        }
        ObjectNode task = TaskSpecJson.toJson(t.task());
        SecretParams.mask(task, engine.descriptors().get(t.task().type()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("task", task);
        m.put("createdAt", t.createdAt());
        m.put("agents", asked);
        m.put("complete", answers.keySet().containsAll(t.agentIds()));
        return m;
    }
}
