package dev.vantage.server.agents.gateway;

import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Message.ErrorReply;
import dev.vantage.agent.protocol.Message.Heartbeat;
import dev.vantage.agent.protocol.Message.Hello;
import dev.vantage.agent.protocol.Message.InstantTest;
import dev.vantage.agent.protocol.Message.PolicyUpdate;
import dev.vantage.agent.protocol.Message.Rejected;
import dev.vantage.agent.protocol.Message.Results;
import dev.vantage.agent.protocol.Message.TaskChanges;
import dev.vantage.agent.protocol.Message.Update;
import dev.vantage.agent.protocol.Message.UpdateStatus;
import dev.vantage.agent.protocol.ProtocolVersions;
import dev.vantage.agent.protocol.Message.Welcome;
import dev.vantage.agent.protocol.Policy;
import dev.vantage.agent.protocol.ProtocolCodec;
import dev.vantage.agent.protocol.ProtocolException;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.agents.assignment.Assignment;
import dev.vantage.server.agents.assignment.TaskCatalog;
import dev.vantage.server.agents.intake.ResultIntake;
import dev.vantage.server.agents.store.AgentRecord;
import dev.vantage.server.agents.store.AgentStore;
import dev.vantage.server.live.LiveFeed;
import dev.vantage.server.tasks.Selector;
import dev.vantage.server.tasks.StoredTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The server side of docs/agent-protocol.md: the open agent connections, what each agent has been told to run
 * (computed by {@link Assignment}), the handling of every message (results go to the {@link ResultIntake}), instant
 * tests and the sweep of silent connections. Task and agent changes arrive as calls ({@link #tasksChanged},
 * {@link #agentChanged}) and go out as deltas. Thread-safe: messages of one connection arrive in order on that
 * connection's thread; changes may come from any thread, so each session is updated under its own lock.
 */
public final class AgentGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentGateway.class);
    /** Close codes in the private-use range 4000-4999. */
    public static final int CLOSE_REPLACED = 4000;
    public static final int CLOSE_REVOKED = 4001;
    public static final int CLOSE_SILENT = 4002;
    public static final int CLOSE_PROTOCOL = 4003;
    /** RFC 6455 "Try Again Later". */
    public static final int CLOSE_TRY_AGAIN = 1013;
    /**
     * Result batches of one connection waiting to be stored before its reader waits too: above an agent's window of
     * unacknowledged batches (8 by default), so a well-behaved agent never holds up its own reader.
     */
    static final int MAX_QUEUED_BATCHES = 32;

    private final AgentStore agents;
    private final TaskCatalog catalog;
    private final ResultIntake intake;
    private final LiveFeed live;
    private final Clock clock;
    private final Duration heartbeatInterval;
    private volatile List<String> serverAddresses = List.of();
    private volatile List<Integer> serverPorts = List.of();
    /**
     * Held while a task set is read and sent, so that a slow reader can never send an older set after a newer one.
     * Task changes are rare; the lock costs nothing on the result path.
     */
    private final Object assignmentLock = new Object();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** agentId -> taskId -> why it does not run; kept while the agent is connected so the API can show it. */
    private final Map<String, Map<String, TaskProblem>> problems = new ConcurrentHashMap<>();
    private volatile UpdateReports updateReports = (agentId, status) -> { };
    private final AgentMeterGauges agentMeters;
    /** Reads of every enabled task; a task's own change reads that task only, so this does not grow with them. */
    private final Counter fullLoads;

    /** Told of every {@code updateStatus} an agent sends (the rollouts slice listens). */
    public interface UpdateReports {
        void status(String agentId, UpdateStatus status);
    }

    /** What became of an {@link #update} order. */
    public enum Delivery {
        SENT,
        /** The agent has no welcomed connection to this replica. */
        NOT_CONNECTED,
        /** The agent speaks a protocol version without updates. */
        OLD_PROTOCOL
    }

    public AgentGateway(AgentStore agents, TaskCatalog catalog, ResultIntake intake, LiveFeed live, Clock clock,
                        Duration heartbeatInterval, MeterRegistry registry) {
        this.agents = agents;
        this.catalog = catalog;
        this.intake = intake;
        this.live = live;
        this.clock = clock;
        this.heartbeatInterval = heartbeatInterval;
        Gauge.builder("vantage.agents.connected", sessions, Map::size).description("Agents with an open connection")
                .register(registry);
        this.agentMeters = new AgentMeterGauges(registry);
        this.fullLoads = Counter.builder("vantage.agents.assignment.loads")
                .description("Times every enabled task was read to work out agents' task sets (welcomes, agent changes)")
                .register(registry);
    }

    /**
     * The server's own addresses and listening ports, refused to every agent: set once the server listens, before
     * agents can connect, and again whenever the host's addresses change.
     */
    public void serverEndpoints(List<String> addresses, List<Integer> ports) {
        boolean changed = !addresses.equals(serverAddresses) || !ports.equals(serverPorts);
        this.serverAddresses = List.copyOf(addresses);
        this.serverPorts = List.copyOf(ports);
        if (changed) {
            // an interface added (or gone) since: every connected agent gets its new effective policy now
            synchronized (assignmentLock) {
                List<StoredTask> tasks = enabledTasks();
                sessions.values().forEach(s -> resync(s, tasks));
            }
        }
    }

    private List<StoredTask> enabledTasks() {
        fullLoads.increment();
        return catalog.enabledTasks();
    }

    /** The policy an agent applies: its own plus the server's addresses and ports and what is always refused. */
    public Policy effectivePolicy(AgentRecord agent) {
        return agent.policy().effective(serverAddresses, serverPorts);
    }

    /** One agent's connection and what it was told. */
    private final class Session {
        final String agentId;
        final AgentConnection connection;
        volatile Instant lastHeard;
        volatile boolean welcomed;                            // written under this
        volatile int protocol;                                // negotiated in hello
        Set<String> types = Set.of();                         // guarded by this
        Map<String, String> labels = Map.of();                // guarded by this; as of the last full resync
        Policy policy;                                        // guarded by this
        /** Written under this; read without it by the results path, which only asks whether an id is in it. */
        final Map<String, TaskSpec> assigned = new ConcurrentHashMap<>();
        final Set<String> instants = ConcurrentHashMap.newKeySet();
        /** Acks and what follows them for this connection's batches, in order, off the dispatch's writer thread. */
        final ExecutorService intake = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("vantage-agent-intake").factory());
        /** Batches being stored (see {@link #results}). */
        final Semaphore queued = new Semaphore(MAX_QUEUED_BATCHES);

        Session(String agentId, AgentConnection connection) {
            this.agentId = agentId;
            this.connection = connection;
            this.lastHeard = clock.instant();
        }

        void send(Message m) {
            connection.send(ProtocolCodec.encode(m));
        }
    }

    /** Called once the upgrade was authenticated. A second connection of the same agent replaces the first. */
    public Object opened(String agentId, AgentConnection connection) {
        Session s = new Session(agentId, connection);
        Session old = sessions.put(agentId, s);
        if (old != null) {
            old.connection.close(CLOSE_REPLACED, "replaced by a newer connection");
        }
        return s;
    }

    /** Handles one text frame from the agent of {@code handle} (what {@link #opened} returned). */
    public void received(Object handle, String text) {
        Session s = (Session) handle;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("agentId", s.agentId)) {
            receivedFrom(s, text);
        }
    }

    private void receivedFrom(Session s, String text) {
        s.lastHeard = clock.instant();
        Message m;
        try {
            m = ProtocolCodec.decode(text);
        } catch (ProtocolException e) {
            s.send(new ErrorReply(e.getMessage()));
            return;
        }
        try {
            handle(s, m);
        } catch (RuntimeException e) {
            // typically the database is saturated or down. Nothing was acked, so the agent keeps the batch; close
            // with "try again later" so it backs off (with jitter) instead of piling more work on a busy server.
            // The reason sent is generic: the exception's text is an internal matter.
            LOG.warn("agent {}: {} message failed, closing its connection so it retries later: {}", s.agentId,
                    m.type(), e.toString());
            s.connection.close(CLOSE_TRY_AGAIN, "server busy; try again later");
        }
    }

    private void handle(Session s, Message m) {
        switch (m) {
            case Hello h -> hello(s, h);
            case Heartbeat h -> {
                try {
                    agents.heartbeat(s.agentId, h.stats());
                } catch (RuntimeException e) {
                    // stats only: with the database down, results may still be accepted (through a broker), so the
                    // connection stays; a replica that lost the database for long lets its agents look offline
                    LOG.debug("agent {}: heartbeat not recorded: {}", s.agentId, e.toString());
                }
                agentMeters.update(s.agentId, h.meters(), () -> sessions.get(s.agentId) == s);
                live.publish("agent", statusEvent(s.agentId, true));
            }
            case Results r -> results(s, r);
            case UpdateStatus u -> {
                LOG.info("agent {}: update to {} {}{}", s.agentId, u.version(), u.state(),
                        u.reason() == null ? "" : ": " + u.reason());
                updateReports.status(s.agentId, u);
            }
            case Rejected r -> {
                problems.computeIfAbsent(s.agentId, k -> new ConcurrentHashMap<>()).put(r.taskId(),
                        new TaskProblem(dev.vantage.server.errors.Message.of("agent.rejected", r.reason()), true));
                LOG.info("agent {} rejected task {}: {}", s.agentId, r.taskId(), r.reason());
            }
            default -> s.send(new ErrorReply("type '" + m.type() + "' is not sent by agents"));
        }
    }

    /** Called when the socket closed, for whatever reason. */
    public void closed(Object handle) {
        Session s = (Session) handle;
        // batches being stored still are: their acks go nowhere (the agent resends them, and they are found stored),
        // their live events and metrics are still published (ResultIntake)
        s.intake.shutdown();
        if (sessions.remove(s.agentId, s)) {
            agentMeters.remove(s.agentId);
            problems.remove(s.agentId);
            agents.offline(s.agentId);
            live.publish("agent", statusEvent(s.agentId, false));
        }
    }

    private void hello(Session s, Hello h) {
        var protocol = ProtocolVersions.negotiate(h.protocol(), h.maxProtocol());
        if (protocol.isEmpty()) {
            s.connection.close(CLOSE_PROTOCOL, "protocol " + h.protocol() + ".." + h.maxProtocol() + " is not supported; "
                    + "this server speaks " + ProtocolVersions.MIN + ".." + ProtocolVersions.MAX);
            return;
        }
        s.protocol = protocol.getAsInt();
        agents.hello(s.agentId, h.agentVersion(), h.capabilities());
        AgentRecord agent = agents.get(s.agentId).orElseThrow();
        synchronized (assignmentLock) {
            List<StoredTask> tasks = enabledTasks();
            synchronized (s) {
                s.types = Set.copyOf(h.capabilities().types());
                s.labels = agent.labels();
                s.policy = effectivePolicy(agent);
                Map<String, TaskSpec> set = assignment(agent, s.types, tasks);
                s.assigned.clear();
                s.assigned.putAll(set);
                s.send(new Welcome(s.agentId, heartbeatInterval, s.policy, List.copyOf(set.values()), s.protocol));
                s.welcomed = true;
            }
        }
        LOG.info("agent {} ({}) connected: version {}, {} tasks", agent.name(), s.agentId, h.agentVersion(), s.assigned.size());
        live.publish("agent", statusEvent(s.agentId, true));
    }

    /**
     * Hands the batch to the intake without waiting for it to be stored, so the reader goes on reading: the agent's
     * pings are answered and its heartbeats heard however long a commit takes, and its next batches (it sends
     * several before the first ack) are stored in the same transaction (issue 13: a reader waiting on each commit
     * let a busy server's agent hear nothing for 20 s, and capped one agent near 2,000 results/s). Past
     * {@link #MAX_QUEUED_BATCHES} batches being stored the reader waits, which slows the agent down.
     */
    private void results(Session s, Results batch) {
        s.queued.acquireUninterruptibly();
        CompletionStage<Void> done;
        try {
            done = store(s, batch);
        } catch (RuntimeException e) {
            s.queued.release();
            throw e;
        }
        done.whenComplete((ignored, failure) -> s.queued.release());
    }

    private CompletionStage<Void> store(Session s, Results batch) {
        // no copy of the task set per batch: with thousands of tasks that was a scan per batch, under the lock
        ResultIntake.Admission admission = new ResultIntake.Admission(
                id -> s.assigned.containsKey(id) || s.instants.contains(id), catalog::exists);
        return intake.accept(s.agentId, batch, admission, s.instants::contains, new ResultIntake.Reply() {
            @Override
            public void ack(Message.Ack ack) {
                s.send(ack);
            }

            @Override
            public void retryLater() {
                s.connection.close(CLOSE_TRY_AGAIN, "server busy; try again later");
            }

            @Override
            public Executor executor() {
                return task -> {
                    try {
                        s.intake.execute(task);
                    } catch (java.util.concurrent.RejectedExecutionException closed) {
                        task.run(); // the connection closed: its stored results still reach the counters and feed
                    }
                };
            }
        });
    }

    /** The tasks this agent must run, recording those it cannot run for lack of a plugin. */
    private Map<String, TaskSpec> assignment(AgentRecord agent, Set<String> types, List<StoredTask> tasks) {
        Assignment.TaskSet set = Assignment.of(agent.id(), agent.labels(), types, tasks);
        Map<String, TaskProblem> missing = new ConcurrentHashMap<>();
        set.problems().forEach((task, reason) -> missing.put(task, new TaskProblem(reason, false)));
        Map<String, TaskProblem> previous = problems.put(agent.id(), missing);
        if (previous != null) {
            // keep agent rejections of tasks that are still assigned: the agent will not change its mind
            previous.forEach((task, problem) -> {
                if (problem.rejected() && set.tasks().containsKey(task)) {
                    missing.put(task, problem);
                }
            });
        }
        return set.tasks();
    }

    /**
     * Re-computes every connected agent's task set and sends the differences. Call when any task may have changed;
     * when one task did, {@link #taskChanged} costs that task alone.
     */
    public void tasksChanged() {
        synchronized (assignmentLock) {
            if (sessions.isEmpty()) {
                return; // nobody to tell; an agent connecting later reads the tasks for its welcome, under this lock
            }
            List<StoredTask> tasks = enabledTasks();
            sessions.values().forEach(s -> resync(s, tasks));
        }
    }

    /**
     * One task was created, changed or deleted: reads that task (its latest state, whatever order the changes
     * arrived in) and sends each connected agent the delta of that task only, if any.
     */
    public void taskChanged(String taskId) {
        synchronized (assignmentLock) {
            if (sessions.isEmpty()) {
                return;
            }
            List<StoredTask> task = catalog.find(taskId).filter(StoredTask::enabled).stream().toList();
            sessions.values().forEach(s -> resyncOne(s, taskId, task));
        }
    }

    /** An agent's labels or policy changed: re-send what changed to it. */
    public void agentChanged(String agentId) {
        Session s = sessions.get(agentId);
        if (s != null) {
            synchronized (assignmentLock) {
                resync(s, enabledTasks());
            }
        }
    }

    /** {@link #resync} for one task: {@code task} is that task if it exists and is enabled, else empty. */
    private void resyncOne(Session s, String taskId, List<StoredTask> task) {
        synchronized (s) {
            if (!s.welcomed) {
                return; // the welcome will carry the current set
            }
            Assignment.TaskSet set = Assignment.of(s.agentId, s.labels, s.types, task);
            TaskSpec now = set.tasks().get(taskId);
            TaskSpec before = now == null ? s.assigned.remove(taskId) : s.assigned.put(taskId, now);
            Map<String, TaskProblem> reasons = problems.computeIfAbsent(s.agentId, k -> new ConcurrentHashMap<>());
            dev.vantage.server.errors.Message missing = set.problems().get(taskId);
            TaskProblem known = reasons.get(taskId);
            if (missing != null) {
                reasons.put(taskId, new TaskProblem(missing, false));
            } else if (now == null || known == null || !known.rejected()) {
                reasons.remove(taskId); // an agent's rejection stands while the task stays assigned, as in resync
            }
            if (now != null && !now.equals(before)) {
                s.send(new TaskChanges(List.of(now), List.of()));
            } else if (now == null && before != null) {
                s.send(new TaskChanges(List.of(), List.of(taskId)));
            }
        }
    }

    private void resync(Session s, List<StoredTask> tasks) {
        AgentRecord agent = agents.get(s.agentId).orElse(null);
        if (agent == null) {
            return;
        }
        synchronized (s) {
            if (!s.welcomed) {
                return; // the welcome will carry the current set
            }
            s.labels = agent.labels();
            Policy policy = effectivePolicy(agent);
            if (!policy.equals(s.policy)) {
                s.policy = policy;
                s.send(new PolicyUpdate(policy));
            }
            Map<String, TaskSpec> now = assignment(agent, s.types, tasks);
            Assignment.Diff diff = Assignment.diff(s.assigned, now);
            if (!diff.isEmpty()) {
                s.assigned.clear();
                s.assigned.putAll(now);
                s.send(new TaskChanges(diff.upsert(), diff.remove()));
            }
        }
    }

    /** Where {@code updateStatus} reports go; set once while wiring the server. */
    public void updateReports(UpdateReports reports) {
        this.updateReports = java.util.Objects.requireNonNull(reports, "reports");
    }

    /**
     * The agent id of a valid {@code Authorization: Bearer <agentId>.<credential>} header, for HTTP an agent calls
     * beside its WebSocket (a release download).
     */
    public java.util.Optional<String> authenticate(java.util.Optional<String> authorization) {
        return AgentSocket.authenticate(agents, authorization);
    }

    /** Orders an agent connected to this replica to switch to a release. */
    public Delivery update(String agentId, Update order) {
        Session s = sessions.get(agentId);
        if (s == null || !s.welcomed) {
            return Delivery.NOT_CONNECTED;
        }
        if (s.protocol < ProtocolVersions.UPDATES) {
            return Delivery.OLD_PROTOCOL;
        }
        synchronized (s) {
            s.send(order);
        }
        return Delivery.SENT;
    }

    /** Closes a revoked agent's connection. */
    public void revoked(String agentId) {
        Session s = sessions.get(agentId);
        if (s != null) {
            s.connection.close(CLOSE_REVOKED, "agent revoked");
        }
    }

    /**
     * Sends an instant test to the online agents the selector matches that have the probe type.
     *
     * @return the ids of the agents it was sent to
     */
    public List<String> instant(String id, TaskSpec task, Selector selector) {
        List<String> sent = new ArrayList<>();
        for (Session s : sessions.values()) {
            AgentRecord agent = agents.get(s.agentId).orElse(null);
            synchronized (s) {
                if (agent == null || !s.welcomed || !s.types.contains(task.type())
                        || !selector.matches(agent.id(), agent.labels())) {
                    continue;
                }
                s.instants.add(id);
                s.send(new InstantTest(id, task));
            }
            sent.add(s.agentId);
        }
        return sent;
    }

    /**
     * Whether the agent has an open connection and has said hello: from then on its capabilities are stored, so a
     * client that sees "online" also sees what the agent can run.
     */
    public boolean online(String agentId) {
        Session s = sessions.get(agentId);
        return s != null && s.welcomed;
    }

    /** Why this agent does not run tasks it was selected for (no plugin, rejected), by task id. */
    public Map<String, dev.vantage.server.errors.Message> problemsOf(String agentId) {
        Map<String, dev.vantage.server.errors.Message> out = new LinkedHashMap<>();
        problems.getOrDefault(agentId, Map.of()).forEach((task, problem) -> out.put(task, problem.reason()));
        return out;
    }

    /** Why an agent does not run a task; {@code rejected}: the agent refused it, rather than lacking its plugin. */
    private record TaskProblem(dev.vantage.server.errors.Message reason, boolean rejected) {
    }

    /** The task ids each connected agent was told to run. */
    public Map<String, Set<String>> assignments() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        sessions.forEach((id, s) -> {
            synchronized (s) {
                out.put(id, Set.copyOf(s.assigned.keySet()));
            }
        });
        return out;
    }

    /**
     * Closes connections silent for two heartbeat intervals (a dead peer whose socket never closed). Called
     * periodically.
     */
    public void sweep() {
        Instant limit = clock.instant().minus(heartbeatInterval.multipliedBy(2));
        for (Session s : sessions.values()) {
            if (s.lastHeard.isBefore(limit)) {
                LOG.info("agent {} silent since {}: closing its connection", s.agentId, s.lastHeard);
                s.connection.close(CLOSE_SILENT, "no message for two heartbeat intervals");
                closed(s); // do not wait for the close handshake of a peer that may be gone
            }
        }
    }

    private Map<String, Object> statusEvent(String agentId, boolean online) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("agentId", agentId);
        e.put("online", online);
        e.put("at", clock.instant().toString());
        return e;
    }

    @Override
    public void close() {
        sessions.values().forEach(s -> {
            s.connection.close(1001, "server shutting down");
            s.intake.shutdown();
        });
        sessions.clear();
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }
}
