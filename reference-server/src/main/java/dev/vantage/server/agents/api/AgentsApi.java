package dev.vantage.server.agents.api;

import dev.vantage.server.errors.Message;
import dev.vantage.server.agents.certificates.AgentCertificates;
import dev.vantage.server.agents.gateway.AgentGateway;
import dev.vantage.server.agents.gateway.ChangeRelay;
import dev.vantage.server.agents.store.AgentPolicy;
import dev.vantage.server.agents.store.AgentRecord;
import dev.vantage.server.agents.store.AgentStore;
import dev.vantage.server.agents.store.EnrollmentTokenStore;
import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.errors.NotFoundException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Languages;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The REST API of agents: enrollment tokens, enrollment, and the agent list with labels, policies and revocation.
 * What agents are told over their WebSocket is the {@link AgentGateway}'s business; this API tells it of changes
 * through the {@link ChangeRelay}.
 */
public final class AgentsApi implements ApiModule {
    private static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(30);

    private final AgentStore agents;
    private final EnrollmentTokenStore tokens;
    private final AgentGateway gateway;
    private final ChangeRelay changes;
    private final AgentResults agentResults;
    private final AgentCertificates certificates;
    private final Clock clock;

    /** Deletes the stored results of an agent (the results slice does it). */
    public interface AgentResults {
        void delete(String agentId);
    }

    /** @param agentResults what deletes an agent's results when it is purged with them */
    /** @param certificates the agents' CA */
    public AgentsApi(AgentStore agents, EnrollmentTokenStore tokens, AgentGateway gateway, ChangeRelay changes,
                     AgentResults agentResults, AgentCertificates certificates, Clock clock) {
        this.agentResults = agentResults;
        this.certificates = certificates;
        this.agents = agents;
        this.tokens = tokens;
        this.gateway = gateway;
        this.changes = changes;
        this.clock = clock;
    }

    @Override
    public void routes(Routes r) {
        r.post("/api/v1/agents/enrollment-tokens", Role.OPERATOR, this::createToken);
        r.get("/api/v1/agents/enrollment-tokens", Role.OPERATOR, (req, res) -> {
            QueryParams q = new QueryParams(req);
            boolean all = q.bool("all", false);
            q.check();
            Json.send(res, tokens.list(all));
        });
        r.delete("/api/v1/agents/enrollment-tokens", Role.OPERATOR, (req, res) -> {
            QueryParams q = new QueryParams(req);
            String spent = q.string("spent");
            if (!"true".equals(spent)) {
                q.error("spent", Message.of("agent.spent"));
            }
            q.check();
            Json.send(res, Map.of("deleted", tokens.purgeSpent()));
        });
        r.delete("/api/v1/agents/enrollment-tokens/{id}", Role.OPERATOR, (req, res) -> {
            if (!tokens.revoke(req.path().pathParameters().get("id"))) {
                throw new NotFoundException("enrollment token");
            }
            res.status(Status.NO_CONTENT_204).send();
        });
        r.signIn(Method.POST, "/api/v1/agents/enroll", this::enroll);
        r.get("/api/v1/agents", Role.VIEWER, (req, res) -> {
            Locale locale = Languages.of(req, res, Languages.SERVER);
            Json.send(res, agents.list().stream().map(a -> view(a, locale)).toList());
        });
        r.get("/api/v1/agents/{id}", Role.VIEWER, (req, res) -> Json.send(res, view(agent(req), Languages.of(req, res, Languages.SERVER))));
        r.put("/api/v1/agents/{id}/labels", Role.OPERATOR, this::setLabels);
        r.put("/api/v1/agents/{id}/policy", Role.ADMIN, this::setPolicy);
        r.delete("/api/v1/agents/{id}", Role.OPERATOR, this::delete);
        r.post("/api/v1/agents/{id}/certificates/revoke", Role.OPERATOR, this::revokeCertificates);
        r.describe("agents", id -> agents.get(id).map(a -> view(a, Locale.ENGLISH)));
        r.describe("agents/enrollment-tokens", tokens::get);
    }

    /**
     * Revokes an agent (its connection closes at once, wherever it is); with {@code purge=true} it also goes from the
     * list for good, and with {@code results=delete} its stored results go too (kept by default).
     */
    private void delete(ServerRequest req, ServerResponse res) {
        String id = agent(req).id();
        QueryParams q = new QueryParams(req);
        boolean purge = q.bool("purge", false);
        String results = q.string("results");
        if (results != null && !results.equals("keep") && !results.equals("delete")) {
            q.error("results", Message.of("agent.results"));
        } else if ("delete".equals(results) && !purge) {
            q.error("results", Message.of("agent.resultsPurge"));
        }
        q.check();
        agents.revoke(id);
        changes.revoked(id);
        if (purge) {
            if ("delete".equals(results)) {
                agentResults.delete(id);
            }
            agents.delete(id);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private void createToken(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "labels", "uses", "expiresIn", "policy");
        Map<String, String> labels = JsonFields.labels(body, "labels", in);
        Long uses = in.optionalLong("uses");
        if (uses != null && (uses < 1 || uses > 100_000)) {
            in.error("uses", Message.of("token.uses"));
        }
        Duration lifetime = in.duration("expiresIn", in.optionalString("expiresIn", 32));
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_TOKEN_LIFETIME) > 0)) {
            in.error("expiresIn", Message.of("token.expiry"));
        }
        AgentPolicy policy = JsonFields.policy(body, "policy", in);
        in.check();
        Principal p = Routes.principal(req);
        if (policy != null && !p.role().includes(Role.ADMIN)) {
            throw new ForbiddenException(Message.of("agent.policyAdmin"));
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
        res.header(HeaderNames.LOCATION, "/api/v1/agents/enrollment-tokens/" + created.info().id());
        Json.send(res, Status.CREATED_201, out);
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "token", "name", "labels", "csr");
        String token = in.requiredString("token", 256);
        String name = in.optionalString("name", 128);
        String csr = in.optionalString("csr", 16_384);
        if (csr != null) {
            in.model(() -> certificates.validate(csr, "csr")); // before the token is spent
        }
        Map<String, String> asked = JsonFields.labels(body, "labels", in);
        in.check();
        EnrollmentTokenStore.Grant grant = tokens.consume(token)
                .orElseThrow(() -> new NotAuthenticatedException(Message.of("agent.enrollRefused")));
        // the token's labels win: whoever holds a token cannot move itself into another region
        Map<String, String> labels = new LinkedHashMap<>(asked == null ? Map.of() : asked);
        labels.putAll(grant.labels());
        AgentStore.Created created = agents.create(name == null || name.isBlank() ? "agent" : name, labels, grant.policy());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agentId", created.agent().id());
        out.put("credential", created.credential());
        if (csr != null) {
            AgentCertificates.Issued issued = certificates.issue(created.agent().id(), csr, "csr");
            out.put("certificate", issued.certificate());
            out.put("caCertificate", issued.ca());
            out.put("certificateNotAfter", issued.notAfter());
        }
        Json.send(res, Status.CREATED_201, out);
    }

    /** Revokes the agent's client certificates (it stays enrolled); its connections close wherever they are. */
    private void revokeCertificates(ServerRequest req, ServerResponse res) {
        String id = agent(req).id();
        int revoked = certificates.revoke(id);
        changes.revoked(id);
        Json.send(res, Map.of("revoked", revoked));
    }

    private void setLabels(ServerRequest req, ServerResponse res) {
        String id = agent(req).id();
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "labels");
        Map<String, String> labels = JsonFields.labels(body, "labels", in);
        if (labels == null) {
            in.error("labels", Message.of("json.required"));
        }
        in.check();
        agents.labels(id, labels);
        changes.agentChanged(id);
        Json.send(res, view(agents.get(id).orElseThrow(), Languages.of(req, res, Languages.SERVER)));
    }

    private void setPolicy(ServerRequest req, ServerResponse res) {
        String id = agent(req).id();
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, JsonFields.POLICY_FIELDS.toArray(String[]::new));
        AgentPolicy policy = JsonFields.policyFields(body, "", in);
        in.check();
        agents.policy(id, policy);
        changes.agentChanged(id);
        Json.send(res, view(agents.get(id).orElseThrow(), Languages.of(req, res, Languages.SERVER)));
    }

    private AgentRecord agent(ServerRequest req) {
        return agents.get(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("agent"));
    }

    /**
     * Whether the agent is connected to this replica or, as the database says, to another one that heard from it
     * within two heartbeat intervals (a crashed replica cannot mark its agents offline: their last_seen ages).
     */
    private boolean online(AgentRecord a) {
        if (gateway.online(a.id())) {
            return true;
        }
        java.time.Instant fresh = clock.instant().minus(gateway.heartbeatInterval().multipliedBy(2));
        return a.online() && a.lastSeen() != null && a.lastSeen().isAfter(fresh);
    }

    /** The API form of an agent: no credential, status as the hub sees it now; its task problems told in {@code locale}. */
    private Map<String, Object> view(AgentRecord a, Locale locale) {
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
        m.put("tasks", gateway.assignments().getOrDefault(a.id(), java.util.Set.of()));
        Map<String, String> problems = new LinkedHashMap<>();
        gateway.problemsOf(a.id()).forEach((task, why) -> problems.put(task, why.in(locale)));
        m.put("problems", problems);
        m.put("createdAt", a.createdAt());
        m.put("revokedAt", a.revokedAt());
        return m;
    }
}
