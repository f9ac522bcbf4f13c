package dev.vantage.server.agents;

import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.errors.NotFoundException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.Durations;
import dev.vantage.server.ServerCore;
import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import dev.vantage.server.dispatch.Control;
import dev.vantage.server.dispatch.Dispatch;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Routes;
import dev.vantage.server.live.LiveFeed;
import dev.vantage.server.tasks.StoredTask;
import dev.vantage.server.tasks.TaskChangeListener;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Agents: enrollment tokens, enrollment, the agent list with labels, policies and revocation, and the agent
 * WebSocket {@code /ws/agent}.
 */
public final class AgentsModule implements ApiModule {
    private static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(30);

    private final ServerCore core;
    private final AgentStore agents;
    private final EnrollmentTokenStore tokens;
    private final AgentHub hub;
    private final Dispatch dispatch;
    private final Clock clock;
    private final ScheduledExecutorService sweeper;
    private volatile LocalAgent localAgent;

    public AgentsModule(ServerCore core, LiveFeed live) {
        this.core = core;
        this.clock = core.clock();
        this.dispatch = core.dispatch();
        this.agents = new AgentStore(core.database(), clock, dispatch.replicaId());
        this.tokens = new EnrollmentTokenStore(core.database(), clock);
        this.hub = new AgentHub(agents, catalog(core), dispatch::store, live, clock,
                core.config().agentHeartbeat(), core.registry());
        if (!dispatch.distributed()) {
            agents.allOffline(); // the only server, just started: nothing is connected (replicas go by last_seen)
        }
        dispatch.listen(this::apply);
        io.micrometer.core.instrument.Gauge.builder("vantage.live.subscribers", live, LiveFeed::size)
                .description("Open /ws/live connections").register(core.registry());
        core.tasks().addListener(new TaskChangeListener() {
            @Override
            public void changed(StoredTask task) {
                announce(Control.of(Control.TASKS));
            }

            @Override
            public void removed(String taskId) {
                announce(Control.of(Control.TASKS));
            }
        });
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("agent-sweeper").factory());
        // Helidon 4.5 does not tell a WebSocket listener when the peer's socket just dies (EOF while reading a frame
        // skips onClose/onError), so a killed agent is found by this sweep: within two heartbeats plus a tenth
        long period = Math.max(100, hub.heartbeatInterval().toMillis() / 10);
        sweeper.scheduleAtFixedRate(hub::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    private static TaskCatalog catalog(ServerCore core) {
        return new TaskCatalog() {
            @Override
            public List<StoredTask> enabledTasks() {
                return core.tasks().all().stream().filter(StoredTask::enabled).toList();
            }

            @Override
            public boolean exists(String taskId) {
                // instant tests are read here directly: their module depends on this one, not the other way round
                return core.tasks().find(taskId).isPresent()
                        || core.database().queryOne("SELECT 1 FROM instant_tests WHERE id = ?", rs -> true, taskId).isPresent();
            }
        };
    }

    /** Applies a change here and tells the other replicas, which apply it to the agents connected to them. */
    private void announce(Control change) {
        apply(change);
        dispatch.broadcast(change);
    }

    private void apply(Control change) {
        switch (change.kind()) {
            case Control.TASKS, Control.RESYNC -> hub.tasksChanged(); // re-reads every connected agent too
            case Control.AGENT -> hub.agentChanged(change.id());
            case Control.REVOKED -> hub.revoked(change.id());
            default -> { } // for other listeners
        }
    }

    public AgentHub hub() {
        return hub;
    }

    public AgentStore store() {
        return agents;
    }

    /** Tells the hub which addresses and port are this server's own, then starts the built-in local agent. */
    @Override
    public void started(int port) {
        hub.serverEndpoints(ownAddresses(), List.of(port));
        if (core.config().localAgentEnabled()) {
            localAgent = LocalAgent.start(agents, core.config().dataDir(), port);
        }
    }

    /** This machine's non-loopback addresses: agents must not be pointed at the server's host. */
    private static List<String> ownAddresses() {
        try {
            return java.net.NetworkInterface.networkInterfaces()
                    .flatMap(java.net.NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                    .map(a -> a.getHostAddress().replaceFirst("%.*$", ""))
                    .distinct()
                    .toList();
        } catch (java.net.SocketException e) {
            return List.of();
        }
    }

    @Override
    public void routes(Routes r) {
        r.post("/api/v1/agents/enrollment-tokens", Role.OPERATOR, this::createToken);
        r.get("/api/v1/agents/enrollment-tokens", Role.OPERATOR, (req, res) -> Json.send(res, tokens.list()));
        r.delete("/api/v1/agents/enrollment-tokens/{id}", Role.OPERATOR, (req, res) -> {
            if (!tokens.revoke(req.path().pathParameters().get("id"))) {
                throw new NotFoundException("enrollment token");
            }
            res.status(Status.NO_CONTENT_204).send();
        });
        r.publicRoute(Method.POST, "/api/v1/agents/enroll", this::enroll);
        r.get("/api/v1/agents", Role.VIEWER, (req, res) -> Json.send(res, agents.list().stream().map(this::view).toList()));
        r.get("/api/v1/agents/{id}", Role.VIEWER, (req, res) -> Json.send(res, view(agent(req))));
        r.put("/api/v1/agents/{id}/labels", Role.OPERATOR, this::setLabels);
        r.put("/api/v1/agents/{id}/policy", Role.ADMIN, this::setPolicy);
        r.delete("/api/v1/agents/{id}", Role.OPERATOR, (req, res) -> {
            String id = agent(req).id();
            agents.revoke(id);
            announce(Control.of(Control.REVOKED, id));
            res.status(Status.NO_CONTENT_204).send();
        });
    }

    /**
     * Plain HTTP on the agent WebSocket's path, reached only when the upgrade was refused (bad credential) or not
     * asked for. Not in the route table: agents authenticate with their own credential, not a user role.
     */
    @Override
    public void extraRouting(HttpRouting.Builder routing) {
        routing.get("/ws/agent", (req, res) -> {
            if (AgentSocket.authenticate(agents, req.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION)).isEmpty()) {
                throw new NotAuthenticatedException("agent credential missing or refused");
            }
            throw new InvalidInputException("this endpoint speaks WebSocket only (docs/agent-protocol.md)");
        });
    }

    @Override
    public void webSockets(WsRouting.Builder ws) {
        ws.endpoint("/ws/agent", () -> new AgentSocket(agents, hub));
    }

    private void createToken(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "labels", "uses", "expiresIn", "policy");
        Map<String, String> labels = JsonFields.labels(body, "labels", in);
        Long uses = in.optionalLong("uses");
        if (uses != null && (uses < 1 || uses > 100_000)) {
            in.error("uses", "must be between 1 and 100000");
        }
        Duration lifetime = in.convert("expiresIn", in.optionalString("expiresIn", 32), Durations::parse);
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_TOKEN_LIFETIME) > 0)) {
            in.error("expiresIn", "must be positive and at most 30d");
        }
        AgentPolicy policy = JsonFields.policy(body, "policy", in);
        in.check();
        Principal p = Routes.principal(req);
        if (policy != null && !p.role().includes(Role.ADMIN)) {
            throw new ForbiddenException("only an admin may set an agent policy");
        }
        Instant expires = clock.instant().plus(lifetime == null ? Duration.ofDays(1) : lifetime);
        EnrollmentTokenStore.Created created = tokens.create(labels == null ? Map.of() : labels,
                policy == null ? AgentPolicy.PUBLIC_ONLY : policy, uses == null ? 1 : uses.intValue(), expires, p.username());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", created.info().id());
        out.put("token", created.token());
        out.put("labels", created.info().labels());
        out.put("usesLeft", created.info().usesLeft());
        out.put("expiresAt", created.info().expiresAt());
        out.put("policy", created.info().policy());
        Json.send(res, Status.CREATED_201, out);
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "token", "name", "labels");
        String token = in.requiredString("token", 256);
        String name = in.optionalString("name", 128);
        Map<String, String> asked = JsonFields.labels(body, "labels", in);
        in.check();
        EnrollmentTokenStore.Grant grant = tokens.consume(token)
                .orElseThrow(() -> new NotAuthenticatedException("enrollment token unknown, expired, revoked or used up"));
        // the token's labels win: whoever holds a token cannot move itself into another region
        Map<String, String> labels = new LinkedHashMap<>(asked == null ? Map.of() : asked);
        labels.putAll(grant.labels());
        AgentStore.Created created = agents.create(name == null || name.isBlank() ? "agent" : name, labels, grant.policy());
        Json.send(res, Status.CREATED_201, Map.of("agentId", created.agent().id(), "credential", created.credential()));
    }

    private void setLabels(ServerRequest req, ServerResponse res) {
        String id = agent(req).id();
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "labels");
        Map<String, String> labels = JsonFields.labels(body, "labels", in);
        if (labels == null) {
            in.error("labels", "is required");
        }
        in.check();
        agents.labels(id, labels);
        announce(Control.of(Control.AGENT, id));
        Json.send(res, view(agents.get(id).orElseThrow()));
    }

    private void setPolicy(ServerRequest req, ServerResponse res) {
        String id = agent(req).id();
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, JsonFields.POLICY_FIELDS.toArray(String[]::new));
        AgentPolicy policy = JsonFields.policyFields(body, "", in);
        in.check();
        agents.policy(id, policy);
        announce(Control.of(Control.AGENT, id));
        Json.send(res, view(agents.get(id).orElseThrow()));
    }

    private AgentRecord agent(ServerRequest req) {
        return agents.get(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("agent"));
    }

    /**
     * Whether the agent is connected to this replica or, as the database says, to another one that heard from it
     * within two heartbeat intervals (a crashed replica cannot mark its agents offline: their last_seen ages).
     */
    private boolean online(AgentRecord a) {
        if (hub.online(a.id())) {
            return true;
        }
        java.time.Instant fresh = clock.instant().minus(hub.heartbeatInterval().multipliedBy(2));
        return a.online() && a.lastSeen() != null && a.lastSeen().isAfter(fresh);
    }

    /** The API form of an agent: no credential, status as the hub sees it now. */
    private Map<String, Object> view(AgentRecord a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("name", a.name());
        m.put("labels", a.labels());
        m.put("online", online(a));
        m.put("lastSeen", a.lastSeen());
        m.put("version", a.version());
        m.put("plugins", a.capabilities() == null ? List.of() : a.capabilities().plugins());
        m.put("icmpMode", a.capabilities() == null ? null : a.capabilities().icmpMode());
        m.put("ipv6", a.capabilities() == null ? null : a.capabilities().ipv6());
        m.put("stats", a.stats());
        m.put("policy", a.policy());
        m.put("tasks", hub.assignments().getOrDefault(a.id(), java.util.Set.of()));
        m.put("problems", hub.problemsOf(a.id()));
        m.put("createdAt", a.createdAt());
        m.put("revokedAt", a.revokedAt());
        return m;
    }

    /** The local agent goes first, while the server can still take its last results. */
    @Override
    public void stopping() {
        LocalAgent local = localAgent;
        localAgent = null;
        if (local != null) {
            local.close();
        }
    }

    @Override
    public void close() {
        stopping();
        sweeper.shutdownNow();
        hub.close();
    }
}
