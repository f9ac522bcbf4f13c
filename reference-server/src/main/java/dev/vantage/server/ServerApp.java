package dev.vantage.server;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.server.errors.Message;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.engine.sink.ResultMetrics;
import dev.vantage.server.audit.AuditApi;
import dev.vantage.server.agents.api.AgentsApi;
import dev.vantage.server.agents.assignment.TaskCatalog;
import dev.vantage.server.agents.certificates.AgentCertificates;
import dev.vantage.server.agents.certificates.AgentIdentity;
import dev.vantage.server.agents.certificates.CertificatesApi;
import dev.vantage.server.agents.gateway.AgentEndpoint;
import dev.vantage.server.agents.gateway.AgentGateway;
import dev.vantage.server.agents.gateway.ChangeRelay;
import dev.vantage.server.agents.intake.ResultIntake;
import dev.vantage.server.agents.local.LocalAgent;
import dev.vantage.server.agents.releases.ReleaseStore;
import dev.vantage.server.agents.releases.ReleasesApi;
import dev.vantage.server.agents.rollouts.RolloutStore;
import dev.vantage.server.agents.rollouts.Rollouts;
import dev.vantage.server.agents.rollouts.RolloutsApi;
import dev.vantage.server.agents.store.AgentRecord;
import dev.vantage.server.alerting.Alerting;
import dev.vantage.server.dispatch.Control;
import dev.vantage.server.dispatch.Dispatch;
import dev.vantage.server.alerting.api.AlertRulesApi;
import dev.vantage.server.alerting.api.ChannelsApi;
import dev.vantage.server.alerting.api.SilencesApi;
import dev.vantage.server.alerting.evaluation.Preview;
import dev.vantage.server.alerting.notify.Notifier;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.server.security.AddressRanges;
import dev.vantage.server.alerting.api.IncidentsApi;
import dev.vantage.server.auth.Accounts;
import dev.vantage.server.auth.ApiTokensApi;
import dev.vantage.agent.blackbox.BlackboxConfig;
import dev.vantage.server.instant.BlackboxProbeApi;
import dev.vantage.server.instant.InstantTests;
import dev.vantage.server.instant.InstantTestsApi;
import dev.vantage.server.live.LiveApi;
import dev.vantage.server.live.LiveFeed;
import dev.vantage.server.auth.AuthApi;
import dev.vantage.server.health.HealthApi;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.CheckedWsUpgrader;
import dev.vantage.server.http.ApiRouting;
import dev.vantage.server.http.Routes;
import dev.vantage.server.openapi.OpenApiApi;
import dev.vantage.server.results.Aggregates;
import dev.vantage.server.results.ResultsApi;
import dev.vantage.server.alerting.silences.Silence;
import dev.vantage.server.results.rollups.Resolution;
import dev.vantage.server.results.rollups.Rollup;
import dev.vantage.server.results.rollups.RollupStore;
import dev.vantage.server.sla.SlaApi;
import dev.vantage.server.sla.SlaReports;
import dev.vantage.server.sla.SlaSources;
import dev.vantage.server.status.PublicStatus;
import dev.vantage.server.status.StatusPagesApi;
import dev.vantage.server.status.StatusSources;
import java.time.Duration;
import java.util.Locale;
import dev.vantage.server.tasks.PluginsApi;
import dev.vantage.server.tls.ServerTls;
import dev.vantage.server.tasks.TasksApi;
import dev.vantage.server.ui.UiModule;
import dev.vantage.server.tasks.Selector;
import dev.vantage.server.tasks.StoredTask;
import dev.vantage.server.tasks.TaskChangeListener;
import dev.vantage.server.users.User;
import dev.vantage.server.users.UserStore;
import dev.vantage.server.users.UsersApi;
import io.micrometer.core.instrument.Gauge;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import dev.vantage.server.http.TransportProblems;
import io.helidon.http.DirectHandler;
import java.util.Optional;
import java.util.Set;

/**
 * The HTTP server: the API modules, the route table built from them, and the Helidon web server. {@link #modules}
 * is the one place a feature is plugged in.
 */
public final class ServerApp implements AutoCloseable {
    private final ServerCore core;
    private final List<ApiModule> modules;
    private final Routes routes;
    private final WebServer server;

    private ServerApp(ServerCore core, List<ApiModule> modules) {
        this.core = core;
        this.modules = modules;
        this.routes = routes(modules);
        WsRouting.Builder ws = WsRouting.builder();
        modules.forEach(m -> m.webSockets(ws));
        ApiRouting api = new ApiRouting(core.authenticator(), core.registry(), core.rateLimiter(), core.audit());
        var builder = WebServer.builder();
        core.tls().ifPresent(tls -> builder.tls(tls.tls()));
        this.server = builder
                .host(core.config().host())
                .port(core.config().port())
                .maxPayloadSize(core.config().maxBodyBytes())
                // an answer written in two parts (headers, then a body short of a full segment) otherwise waits for
                // the reader's delayed ACK: a 50 KB status page took 40 ms a request on loopback
                .connectionOptions(o -> o.tcpNoDelay(true))
                // WebSocket upgrades checked by the modules with the connection at hand, before the switch
                .addConnectionSelector(CheckedWsUpgrader.http1(modules))
                .directHandlers(d -> {
                    TransportProblems problems = new TransportProblems();
                    for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
                        d.addHandler(type, problems);
                    }
                })
                .shutdownHook(false) // Main stops the server, then the modules and the database, in that order
                .routing((HttpRouting.Builder r) -> api.apply(r, routes, modules, core.config().corsAllowedOrigins(),
                        core.tls().isPresent()))
                .addRouting(ws)
                .build();
    }

    /**
     * Every feature of the server, in the order their routes are matched, wired from the core's parts. Add a new
     * module here. Modules are told the server is stopping in the reverse order: the local agent first.
     */
    public static List<ApiModule> modules(ServerCore core) {
        LiveFeed live = new LiveFeed(core.dispatch());
        Gauge.builder("vantage.live.subscribers", live, LiveFeed::size)
                .description("Open /ws/live connections").register(core.registry());
        // probe results as metrics on /metrics; a deleted task's series go with it
        ResultMetrics resultMetrics = core.config().resultsMetrics() ? new ResultMetrics(core.registry()) : null;
        core.tasks().addListener(new TaskChangeListener() {
            @Override
            public void changed(StoredTask task) {
            }

            @Override
            public void removed(String taskId) {
                if (resultMetrics != null) {
                    resultMetrics.removeTask(taskId);
                }
            }
        });
        AgentGateway gateway = agentGateway(core, live, resultMetrics);
        ChangeRelay changes = new ChangeRelay(gateway, core.dispatch());
        core.tasks().addListener(changes);
        InstantTests instants = new InstantTests(core.instantTests(), instantAgents(core, gateway),
                id -> core.results().all(id).stream().map(b -> new InstantTests.Answer(b.agentId(), b.body())).toList(),
                core.dispatch(), core.clock(), core.config().agentHeartbeat());
        Notifier notifier = new Notifier(core.notifications(), core.channels(), names(core), core.config().publicUrl(),
                AddressRanges.outbound(core.config().notifyAllowLoopback(), core.config().notifyAllowPrivate()),
                core.config().replicaId(), core.clock(), core.registry());
        Alerting alerting = new Alerting(core.alertRules(), core.incidents(), core.silences(),
                core.tasks()::find, notifier, live, core.clock(), core.registry());
        core.tasks().addListener(alerting);
        wire(alerting, core);
        ReleaseStore releases = new ReleaseStore(core.database(), core.clock());
        RolloutStore rolloutStore = new RolloutStore(core.database(), core.clock());
        Rollouts rollouts = new Rollouts(rolloutStore, releases::find, fleet(core, gateway), core.clock());
        gateway.updateReports(rollouts::status);
        AgentCertificates certificates = core.agentCertificates();
        AgentIdentity identity = new AgentIdentity(certificates, core.tls().isPresent(),
                core.config().agentAuth().trustedProxies(), core.config().agentAuth().bearerAllowed(),
                gateway::authenticate, core.registry());
        List<ApiModule> modules = new ArrayList<>(List.of(
                new HealthApi(core.database(), core.registry()),
                new OpenApiApi(),
                new AuthApi(accounts(core.users()), core.passwords(), core.passwordPolicy(), core.sessions(),
                        core.loginThrottle()),
                new ApiTokensApi(core.apiTokens()),
                new UsersApi(core.users(), core.passwords(), core.passwordPolicy()),
                new TasksApi(core.tasks(), core.engine(),
                        id -> core.agents().get(id).filter(a -> !a.revoked()).isPresent(), reach(core, gateway)),
                new PluginsApi(core.engine(), core.pluginJars()),
                new ResultsApi(core.results(), core.rollups(), id -> core.tasks().find(id).isPresent(),
                        id -> core.agents().get(id).isPresent(), () -> agentLabels(core), core.clock(),
                        core.config().resultsMaxAggregateRows()),
                new AgentsApi(core.agents(), core.enrollmentTokens(), gateway, changes, core.results()::deleteAgent,
                        certificates, core.clock()),
                new AgentEndpoint(gateway, identity),
                new CertificatesApi(certificates, identity),
                new ReleasesApi(releases, identity, rolloutStore::rollingOut),
                new RolloutsApi(rolloutStore, rollouts),
                new InstantTestsApi(instants, core.engine()),
                new BlackboxProbeApi(instants, core.engine(), BlackboxConfig.defaults(), core.clock()),
                new AlertRulesApi(core.alertRules(), id -> core.channels().find(id).isPresent(), history(core), core.clock()),
                new ChannelsApi(core.channels(), core.notifications(), notifier, core.clock()),
                new IncidentsApi(core.incidents(), alerting::added),
                new SilencesApi(core.silences()),
                new StatusPagesApi(core.statusPages(), new PublicStatus(core.statusPages(), statusSources(core),
                        core.clock(), PublicStatus.MAX_AGE, core.registry()), id -> core.tasks().find(id).isPresent()),
                new SlaApi(core.slaObjectives(), new SlaReports(slaSources(core), core.clock()), slaSources(core)),
                alerting,
                new LiveApi(live, core.authenticator()),
                new AuditApi(core.audit().store()),
                new UiModule()));
        if (core.config().localAgentEnabled()) {
            modules.add(new LocalAgent(core.agents(), core.config().dataDir(),
                    core.config().localAgentLoopbackPorts(), core.tls().map(ServerTls::selfTrust).orElse(null),
                    b -> b.diagnosisEvery(core.config().localAgentDiagnosisEvery())
                            .diagnosisResolver(core.config().localAgentDiagnosisResolver())
                            // the server's plugin jars run on its local agent too
                            .engineOptions(e -> core.pluginJars().forEach(e::addPluginJar))));
        }
        return modules;
    }

    /** The agents as rollouts see them: the store's list, orders through this replica's connections. */
    private static Rollouts.Fleet fleet(ServerCore core, AgentGateway gateway) {
        return new Rollouts.Fleet() {
            @Override
            public List<Member> members() {
                return core.agents().list().stream().filter(a -> !a.revoked())
                        .map(a -> new Member(a.id(), a.name(), a.labels(), gateway.online(a.id()))).toList();
            }

            @Override
            public Sent send(String agentId, dev.vantage.agent.protocol.Message.Update order) {
                return switch (gateway.update(agentId, order)) {
                    case SENT -> Sent.SENT;
                    case NOT_CONNECTED -> Sent.NOT_HERE;
                    case OLD_PROTOCOL -> Sent.CANNOT_UPDATE;
                };
            }
        };
    }

    /**
     * Alerting across replicas: stored results go to whichever replica judges (the dispatch decides), and rule,
     * silence and task changes made on any replica reach it.
     */
    private static void wire(Alerting alerting, ServerCore core) {
        Dispatch dispatch = core.dispatch();
        core.results().addStoredListener(dispatch::evaluate);
        Runnable changed = () -> {
            alerting.rulesChanged();
            dispatch.broadcast(Control.of(Control.ALERTING));
        };
        core.alertRules().addListener(changed);
        core.silences().addListener(changed);
        dispatch.listen(c -> {
            switch (c.kind()) {
                case Control.ALERTING -> alerting.rulesChanged();
                case Control.TASKS -> alerting.tasksChanged();
                case Control.RESYNC -> {
                    alerting.rulesChanged();
                    alerting.tasksChanged();
                }
                default -> {
                }
            }
        });
        dispatch.evaluateWith(alerting);
    }

    /** Every enrolled agent's labels, by id: how the results slice groups agents by place. */
    private static Map<String, Map<String, String>> agentLabels(ServerCore core) {
        Map<String, Map<String, String>> out = new HashMap<>();
        core.agents().list().forEach(a -> out.put(a.id(), a.labels()));
        return out;
    }

    /** A status page's view of the tasks, their daily rollups and open incidents. */
    private static StatusSources statusSources(ServerCore core) {
        Aggregates aggregates = new Aggregates(core.results(), core.rollups(), core.config().resultsMaxAggregateRows());
        return new StatusSources() {
            @Override
            public Optional<String> target(String taskId) {
                return core.tasks().find(taskId).map(t -> t.spec().target());
            }

            @Override
            public List<Day> daily(String taskId, Instant from, Instant to) {
                return aggregates.query(taskId, null, from, to, Duration.ofDays(1), false).items().stream()
                        .map(b -> new Day(b.start(), b.count(), b.availability())).toList();
            }

            @Override
            public Optional<Double> latestAvailability(String taskId, Instant from, Instant to) {
                List<Aggregates.Bucket> minutes = aggregates.query(taskId, null, from, to, Duration.ofMinutes(1), false).items();
                return minutes.isEmpty() ? Optional.empty() : Optional.of(minutes.getLast().availability());
            }

            @Override
            public List<OpenIncident> openIncidents(String taskId, Locale locale) {
                return core.incidents().open().stream().filter(i -> i.taskId().equals(taskId))
                        .map(i -> new OpenIncident(i.startedAt(), i.summary().in(locale))).toList();
            }
        };
    }

    /** SLA reports' view of the tasks, their rollups (merged over agents) and maintenance windows. */
    private static SlaSources slaSources(ServerCore core) {
        return new SlaSources() {
            @Override
            public List<String> taskIds() {
                return core.tasks().all().stream().map(t -> t.id()).sorted().toList();
            }

            @Override
            public boolean taskExists(String taskId) {
                return core.tasks().find(taskId).isPresent();
            }

            @Override
            public java.util.Map<Instant, Rollup> merged(String taskId, Resolution resolution, Instant from, Instant to) {
                java.util.Map<Instant, Rollup> merged = new java.util.TreeMap<>();
                for (RollupStore.Stored s : core.rollups().read(taskId, null, resolution, from, to)) {
                    merged.computeIfAbsent(s.start(), k -> new Rollup()).merge(s.rollup());
                }
                return merged;
            }

            @Override
            public Optional<java.util.function.Predicate<Instant>> maintenance(String taskId) {
                // a maintenance window silences every rule of the task; a silence of one rule is not one
                List<Silence.When> windows = core.tasks().find(taskId).map(t -> core.silences().all().stream()
                        .filter(s -> s.ruleId() == null && s.tasks().matches(t.spec())).map(Silence::when).toList())
                        .orElse(List.of());
                return windows.isEmpty() ? Optional.empty()
                        : Optional.of(at -> windows.stream().anyMatch(w -> w.covers(at)));
            }
        };
    }

    /** Whether the agents a task selects may probe its target, by their effective address policies. */
    private static TasksApi.Reach reach(ServerCore core, AgentGateway gateway) {
        return (selector, address) -> {
            List<String> names = new ArrayList<>();
            List<ConfigProblem> refusals = new ArrayList<>();
            for (AgentRecord agent : core.agents().list()) {
                if (agent.revoked() || !selector.matches(agent.id(), agent.labels())) {
                    continue;
                }
                Optional<ConfigProblem> why = gateway.effectivePolicy(agent).toAddressPolicy().refusal(address);
                if (why.isEmpty()) {
                    return Optional.empty();
                }
                names.add(agent.name());
                refusals.add(why.get());
            }
            if (refusals.isEmpty()) {
                return Optional.empty();
            }
            int shown = Math.min(3, refusals.size());
            Message first = Message.localized(locale -> String.join("; ", java.util.stream.IntStream.range(0, shown)
                    .mapToObj(i -> names.get(i) + ": " + core.engine().reason(refusals.get(i), null, locale)).toList()));
            return Optional.of(refusals.size() > 3
                    ? Message.of("task.policyRefused.more", first, refusals.size() - 3)
                    : Message.of("task.policyRefused", first));
        };
    }

    /** What a rule preview reads: the tasks and their stored results. */
    private static AlertRulesApi.History history(ServerCore core) {
        return new AlertRulesApi.History() {
            @Override
            public List<TaskSpec> tasks() {
                return core.tasks().all().stream().map(StoredTask::spec).toList();
            }

            @Override
            public List<Preview.Stored> results(String taskId, Instant from, Instant to, int max) {
                return core.results().between(taskId, from, to, max).stream()
                        .map(b -> new Preview.Stored(b.agentId(), ResultJson.parse(b.body()))).toList();
            }
        };
    }

    /** The names notifications show, looked up in the slices that own them. */
    private static Notifier.Names names(ServerCore core) {
        return new Notifier.Names() {
            @Override
            public String rule(String ruleId) {
                return core.alertRules().find(ruleId).map(r -> r.definition().name()).orElse(ruleId);
            }

            @Override
            public String task(String taskId) {
                return core.tasks().find(taskId).map(t -> t.spec().name()).orElse(taskId);
            }

            @Override
            public String target(String taskId) {
                return core.tasks().find(taskId).map(t -> t.spec().target()).orElse("");
            }

            @Override
            public String agent(String agentId) {
                return core.agents().get(agentId).map(AgentRecord::name).orElse(agentId);
            }
        };
    }

    /** What logging in needs of the user accounts. */
    private static Accounts accounts(UserStore users) {
        return new Accounts() {
            @Override
            public Optional<User> findByUsername(String username) {
                return users.findByUsername(username);
            }

            @Override
            public Optional<User> find(String userId) {
                return users.find(userId);
            }

            @Override
            public void changePassword(String userId, String passwordHash) {
                users.update(userId, new UserStore.Change(null, null, passwordHash));
            }
        };
    }

    /** The agent gateway: task sets from the task store, results through the dispatch. */
    private static AgentGateway agentGateway(ServerCore core, LiveFeed live, ResultMetrics resultMetrics) {
        TaskCatalog catalog = new TaskCatalog() {
            @Override
            public List<StoredTask> enabledTasks() {
                return core.tasks().all().stream().filter(StoredTask::enabled).toList();
            }

            @Override
            public Optional<StoredTask> find(String taskId) {
                return core.tasks().find(taskId);
            }

            @Override
            public boolean exists(String taskId) {
                return core.tasks().find(taskId).isPresent() || core.instantTests().exists(taskId);
            }
        };
        ResultIntake intake = new ResultIntake(core.dispatch()::store, live, resultMetrics, core.registry());
        return new AgentGateway(core.agents(), catalog, intake, live, core.clock(), core.config().agentHeartbeat(),
                core.registry());
    }

    /** What instant tests need of the agents: this replica's connections to send, the store to look agents up. */
    private static InstantTests.Agents instantAgents(ServerCore core, AgentGateway gateway) {
        return new InstantTests.Agents() {
            @Override
            public List<String> send(String instantId, TaskSpec task, Selector selector) {
                return gateway.instant(instantId, task, selector);
            }

            @Override
            public Set<String> candidates(TaskSpec task, Selector selector, Instant since) {
                Set<String> out = new LinkedHashSet<>();
                for (AgentRecord a : core.agents().online(since)) {
                    if (selector.matches(a.id(), a.labels()) && a.capabilities() != null
                            && a.capabilities().types().contains(task.type())) {
                        out.add(a.id());
                    }
                }
                return out;
            }

            @Override
            public Optional<InstantTests.Agent> find(String agentId) {
                return core.agents().get(agentId).map(a -> new InstantTests.Agent(a.id(), a.name(), a.labels()));
            }
        };
    }

    /** The route table of {@code modules}. */
    public static Routes routes(List<ApiModule> modules) {
        Routes routes = new Routes();
        modules.forEach(m -> m.routes(routes));
        return routes;
    }

    /** Starts the web server with {@link #modules}. */
    public static ServerApp start(ServerCore core) {
        return start(core, modules(core));
    }

    public static ServerApp start(ServerCore core, List<ApiModule> modules) {
        ServerApp app = new ServerApp(core, List.copyOf(modules));
        app.server.start();
        core.tls().ifPresent(tls -> tls.watch(app.server::reloadTls)); // new certificates without a restart
        modules.forEach(m -> m.started(app.port()));
        return app;
    }

    /** The port the server listens on (useful with port 0). */
    public int port() {
        return server.port();
    }

    public Routes routes() {
        return routes;
    }

    public ServerCore core() {
        return core;
    }

    /**
     * Tells the modules the server is stopping (while it still serves, so the local agent can hand over its last
     * results), stops the web server, then closes the modules. The core stays open: its owner closes it.
     */
    @Override
    public void close() {
        for (ApiModule m : modules.reversed()) {
            m.stopping();
        }
        server.stop();
        for (ApiModule m : modules.reversed()) {
            m.close();
        }
    }
}
