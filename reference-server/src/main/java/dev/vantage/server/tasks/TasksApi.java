package dev.vantage.server.tasks;

import dev.vantage.server.json.JsonMapping;
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
import dev.vantage.server.errors.Message;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Predicate;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code /api/v1/tasks}. A task in JSON is a task spec (docs/result-json.md) plus {@code selector} (which agents run
 * it) and {@code dependsOn} (the tasks whose failure explains this one's, for alerting), and in answers also {@code revision}, {@code createdBy}, {@code createdAt} and {@code updatedAt}; those four
 * may be sent back unchanged ({@code revision} then guards against overwriting someone else's change).
 */
public final class TasksApi implements ApiModule {
    /** Fields the server sets; accepted (and ignored) on input so a client can send back what it read. */
    private static final List<String> READ_ONLY = List.of("createdBy", "createdAt", "updatedAt");

    private final TaskStore tasks;
    private final ProbeEngine engine;
    private final Predicate<String> agentExists;
    private final Reach reach;

    /** Whether the agents a selector picks may probe an address (the agents slice answers). */
    public interface Reach {
        /**
         * Why every agent {@code selector} picks refuses {@code address}; empty when one of them may probe it, or when
         * the selector picks none (the task waits for its agents).
         */
        Optional<Message> refusedByAll(Selector selector, InetSocketAddress address);
    }

    /** @param agentExists whether an agent id is enrolled and not revoked (the agents slice answers) */
    public TasksApi(TaskStore tasks, ProbeEngine engine, Predicate<String> agentExists, Reach reach) {
        this.tasks = tasks;
        this.engine = engine;
        this.agentExists = agentExists;
        this.reach = reach;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/tasks", Role.VIEWER, this::list)
                .post("/api/v1/tasks", Role.OPERATOR, this::create)
                .get("/api/v1/tasks/{id}", Role.VIEWER, this::read)
                .put("/api/v1/tasks/{id}", Role.OPERATOR, this::replace)
                .delete("/api/v1/tasks/{id}", Role.OPERATOR, this::delete)
                .post("/api/v1/tasks/{id}/enable", Role.OPERATOR, (req, res) -> setEnabled(req, res, true))
                .post("/api/v1/tasks/{id}/disable", Role.OPERATOR, (req, res) -> setEnabled(req, res, false))
                .describe("tasks", id -> tasks.find(id).map(this::view));
    }

    private void list(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        int limit = q.integer("limit", 50, 1, 500);
        int offset = q.integer("offset", 0, 0, Integer.MAX_VALUE);
        q.check();
        TaskStore.Page page = tasks.list(limit, offset);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(this::view).toList());
        body.put("total", page.total());
        body.put("limit", limit);
        body.put("offset", offset);
        Json.send(res, body);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Input in = read(Json.readObject(req), null, null);
        StoredTask task = tasks.create(in.spec(), in.selector(), in.dependsOn(), Routes.principal(req).userId());
        res.header(HeaderNames.LOCATION, "/api/v1/tasks/" + task.id());
        Json.send(res, Status.CREATED_201, view(task));
    }

    private void read(ServerRequest req, ServerResponse res) {
        Json.send(res, view(find(req)));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        StoredTask stored = find(req);
        Input in = read(Json.readObject(req), stored.id(), stored);
        Json.send(res, view(tasks.update(in.spec(), in.selector(), in.dependsOn(), in.revision())));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        tasks.delete(req.path().pathParameters().get("id"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void setEnabled(ServerRequest req, ServerResponse res, boolean enabled) {
        Json.send(res, view(tasks.setEnabled(req.path().pathParameters().get("id"), enabled)));
    }

    private StoredTask find(ServerRequest req) {
        return tasks.find(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("task"));
    }

    private record Input(TaskSpec spec, Selector selector, List<String> dependsOn, Long revision) {
    }

    /** Most tasks one task may depend on. */
    private static final int MAX_DEPENDS_ON = 10;

    /**
     * Reads and validates a task, reporting every problem at once: structure (TaskSpecJson), selector, then the
     * engine's checks of type, target, timing, parameters and assertions.
     *
     * @param pathId the id in the URL of a PUT, or {@code null} for a POST
     * @param stored the task being replaced, whose secrets a masked value keeps
     */
    private Input read(ObjectNode body, String pathId, StoredTask stored) {
        List<FieldError> errors = new ArrayList<>();
        Selector selector = Selector.parse(body.remove("selector"), errors);
        JsonNode dependsOnNode = body.remove("dependsOn");
        JsonNode revisionNode = body.remove("revision");
        Long revision = null;
        if (revisionNode != null && !revisionNode.isNull()) {
            if (pathId != null && revisionNode.isIntegralNumber() && revisionNode.canConvertToLong()) {
                revision = revisionNode.longValue();
            } else if (pathId != null) {
                errors.add(FieldError.of("revision", "json.integer"));
            } // on create the revision of a copied task means nothing: ignore it like the other read-only fields
        }
        READ_ONLY.forEach(body::remove);
        TaskSpec spec = parseSpec(body, errors);
        if (spec != null) {
            if (pathId != null && !spec.id().isEmpty() && !spec.id().equals(pathId)) {
                errors.add(FieldError.of("id", "task.idMismatch", pathId));
            }
            String id = pathId != null ? pathId : spec.id().isEmpty() ? UUID.randomUUID().toString() : spec.id();
            spec = spec.toBuilder().id(id).build();
            spec = SecretParams.restore(spec, stored == null ? null : stored.spec(), engine.descriptors().get(spec.type()), errors);
            if (spec.name() != null && spec.name().length() > TaskStore.MAX_NAME_LENGTH) {
                errors.add(FieldError.of("name", "json.maxLength", TaskStore.MAX_NAME_LENGTH));
            }
            if (spec.interval() == null && errors.stream().noneMatch(e -> e.field().equals("interval"))) {
                errors.add(FieldError.of("interval", "task.intervalRequired"));
            }
            // one message per field: what is already reported (a structural problem, a masked secret) stays
            Set<String> reported = errors.stream().flatMap(e -> Stream.of(e.field(), topLevel(e.field())))
                    .collect(Collectors.toSet());
            String type = spec.type();
            engine.validate(spec).stream()
                    .filter(p -> !reported.contains(p.field()))
                    .forEach(p -> errors.add(EngineProblems.of(engine, p, type)));
        }
        if (selector instanceof Selector.Agent a && !agentExists.test(a.id())) {
            errors.add(FieldError.of("selector.agent", "task.noSuchAgent"));
        }
        List<String> dependsOn = dependsOn(dependsOnNode, spec == null ? pathId : spec.id(), errors);
        if (errors.isEmpty()) {
            // a target no selected agent may probe would only fail at run time, on every agent
            TargetAddress.of(spec.target()).flatMap(a -> reach.refusedByAll(selector, a))
                    .ifPresent(why -> errors.add(new FieldError("target", why)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new Input(spec, selector, dependsOn, revision);
    }

    /** The ids of existing tasks, none of them this one, and no cycle through them back to it. */
    private List<String> dependsOn(JsonNode node, String id, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > MAX_DEPENDS_ON) {
            errors.add(FieldError.of("dependsOn", "task.dependsOn.array", MAX_DEPENDS_ON));
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "dependsOn[" + i + "]";
            JsonNode n = node.get(i);
            if (!n.isTextual() || n.textValue().isBlank()) {
                errors.add(FieldError.of(field, "task.dependsOn.id"));
            } else if (n.textValue().equals(id)) {
                errors.add(FieldError.of(field, "task.dependsOn.self"));
            } else if (ids.contains(n.textValue())) {
                errors.add(FieldError.of(field, "task.dependsOn.twice"));
            } else if (tasks.find(n.textValue()).isEmpty()) {
                errors.add(FieldError.of(field, "task.dependsOn.unknown"));
            } else if (id != null && reaches(n.textValue(), id)) {
                errors.add(FieldError.of(field, "task.dependsOn.cycle"));
            } else {
                ids.add(n.textValue());
            }
        }
        return ids;
    }

    /** Whether {@code to} is among the tasks {@code from} depends on, directly or not. */
    private boolean reaches(String from, String to) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            String next = todo.poll();
            if (next.equals(to)) {
                return true;
            }
            if (seen.add(next)) {
                tasks.find(next).ifPresent(t -> todo.addAll(t.dependsOn()));
            }
        }
        return false;
    }

    /**
     * Parses the spec. When some fields are structurally wrong they are reported, and the spec is parsed again
     * without them, so the engine can still check the rest and the client hears of every problem at once.
     */
    private TaskSpec parseSpec(ObjectNode body, List<FieldError> errors) {
        try {
            return TaskSpecJson.parse(body);
        } catch (InvalidTaskException e) {
            e.problems().forEach(p -> errors.add(EngineProblems.ofJson(p)));
            ObjectNode rest = body.deepCopy();
            e.problems().forEach(p -> rest.remove(topLevel(p.field())));
            try {
                return TaskSpecJson.parse(rest);
            } catch (InvalidTaskException again) {
                return null;
            }
        }
    }

    /** {@code params} of {@code params.count}, {@code assertions} of {@code assertions[0].op}. */
    private static String topLevel(String field) {
        int end = field.length();
        for (char c : new char[] {'.', '['}) {
            int i = field.indexOf(c);
            end = i >= 0 ? Math.min(end, i) : end;
        }
        return field.substring(0, end);
    }

    /** The task as clients see it: secret parameters masked. */
    private ObjectNode view(StoredTask task) {
        ObjectNode o = TaskSpecJson.toJson(task.spec());
        SecretParams.mask(o, engine.descriptors().get(task.spec().type()));
        o.set("selector", JsonMapping.MAPPER.valueToTree(task.selector().toJson()));
        o.set("dependsOn", JsonMapping.MAPPER.valueToTree(task.dependsOn()));
        o.put("revision", task.revision());
        o.put("createdBy", task.createdBy());
        o.put("createdAt", task.createdAt().toString());
        o.put("updatedAt", task.updatedAt().toString());
        return o;
    }
}
