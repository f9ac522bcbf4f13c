package dev.vantage.server.alerting.evaluation;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.alerting.rules.AlertRule;
import dev.vantage.server.alerting.rules.StoredRule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges every stored result against the enabled rules that watch its task, on one thread of its own fed by a
 * bounded queue, so storing never waits for alerting (a full queue drops and counts). Once a second it also
 * re-judges every alert, for what changes with time alone. Transitions go to the {@code sink} on a thread of their
 * own, in order, so that judging never waits for the database that records them; those judged while the sink was
 * busy go to it together (one transaction for many, rather than a commit each that ingest would pay for too).
 *
 * <p>The rules of a task are found through a {@link RuleIndex} once, then kept with the task's alerts until the rules
 * or the task change, so a result costs its own rules' work, however many rules there are.
 *
 * <p>A failure that something else explains ({@link Explanations}: a task it depends on fails from the same agent,
 * or the agent's own network is gone) is not counted; while an alert of the task it depends on fires, the task is
 * listed under that alert's incident once ({@code grouped}).
 */
public final class AlertEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertEngine.class);
    /** An agent silent this long stops counting for a rule, unless the rule's window is longer. */
    private static final Duration STALE_AFTER = Duration.ofMinutes(10);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int QUEUE = 100_000;
    /** At most this many transitions go to the sink at once. */
    private static final int BATCH = 500;

    /** Newly stored results of one agent, and when they reached alerting ({@link System#nanoTime()}). */
    private record Stored(String agentId, List<ProbeResult> results, long nanos) {
    }

    private record Key(String ruleId, String taskId) {
    }

    /** The alerts of one task, for the task as it was when they were found (a changed task is a new object). */
    private record TaskAlerts(TaskSpec task, List<AlertInstance> alerts) {
    }

    private final Supplier<List<StoredRule>> rules;
    private final Function<String, Optional<TaskSpec>> tasks;
    private final Function<String, List<String>> dependsOn;
    private final Supplier<List<Key>> openIncidents;
    private final Consumer<List<Transition>> sink;
    private final Consumer<Grouped> grouped;
    /** Where the sink runs: one thread, so transitions are recorded in the order they were judged. */
    private final ExecutorService recorder = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("alert-recorder").factory());
    /** Transitions and groupings judged, not yet taken by the recorder, in the order judged. */
    private final Queue<Object> unrecorded = new ConcurrentLinkedQueue<>();
    private final Clock clock;
    private final BlockingQueue<Stored> queue = new LinkedBlockingQueue<>();
    /** Results in the queue: at most {@link #QUEUE}. */
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter dropped;
    private final Counter explained;
    private final Timer judged;
    private final Thread thread;
    private volatile boolean reload = true;
    private volatile boolean closed;
    // owned by the engine's thread
    private RuleIndex enabled = new RuleIndex(List.of());
    private final Map<Key, AlertInstance> alerts = new HashMap<>();
    private final Map<String, TaskAlerts> byTask = new HashMap<>();
    private final Explanations explanations = new Explanations();
    /** Rules firing (or resolving) per task: what a dependent task's failures are grouped under. */
    private final Map<String, Set<String>> firingByTask = new HashMap<>();
    /** "rule|parent task|task" already grouped under that alert's incident. */
    private final Set<String> groupedOnce = new HashSet<>();
    private Instant nextPrune = Instant.MIN;

    /**
     * @param rules         every rule (read again after {@link #rulesChanged})
     * @param tasks         a task's spec by id, to match rules by task id or labels
     * @param dependsOn     the tasks a task depends on (its {@code dependsOn})
     * @param openIncidents (rule id, task id) of the incidents still open: their alerts resume as firing
     * @param sink          told of every transition, in order, on the engine's recording thread (those judged
     *                      meanwhile together)
     * @param grouped       told, once per firing alert, of each task whose failures it explains (recording thread)
     */
    public AlertEngine(Supplier<List<StoredRule>> rules, Function<String, Optional<TaskSpec>> tasks,
                       Function<String, List<String>> dependsOn, Supplier<List<Map.Entry<String, String>>> openIncidents,
                       Consumer<List<Transition>> sink, Consumer<Grouped> grouped, Clock clock, MeterRegistry registry) {
        this.rules = rules;
        this.tasks = tasks;
        this.dependsOn = dependsOn;
        this.grouped = grouped;
        this.openIncidents = () -> openIncidents.get().stream().map(e -> new Key(e.getKey(), e.getValue())).toList();
        this.sink = sink;
        this.clock = clock;
        this.dropped = Counter.builder("vantage.alerting.dropped")
                .description("Results not judged by alert rules because the alerting queue was full").register(registry);
        this.explained = Counter.builder("vantage.alerting.explained").description("Failed results not counted by alert"
                + " rules because a task they depend on fails from the same agent, or the agent's own network is gone")
                .register(registry);
        this.judged = Timer.builder("vantage.alerting.judge").description("Judging one stored result against its rules")
                .register(registry);
        this.thread = Thread.ofVirtual().name("alert-engine").start(this::run);
    }

    /** Takes newly stored results of one agent (a {@code ResultStore} stored-listener). Never blocks. */
    public void stored(String agentId, List<ProbeResult> results) {
        int n = results.size();
        if (queued.addAndGet(n) > QUEUE) {
            queued.addAndGet(-n);
            dropped.increment(n);
            return;
        }
        queue.add(new Stored(agentId, results, System.nanoTime()));
    }

    /** The rules changed: read them again before the next result. */
    public void rulesChanged() {
        reload = true;
    }

    private void run() {
        Instant nextTick = clock.instant().plus(TICK);
        while (!closed) {
            try {
                Stored s = queue.poll(Math.max(1, Duration.between(clock.instant(), nextTick).toMillis()), TimeUnit.MILLISECONDS);
                if (reload) {
                    load(); // after the wait: results stored after a rule change meet the new rules
                }
                if (s != null) {
                    judgeEach(s);
                }
                Instant now = clock.instant();
                if (!now.isBefore(nextTick)) {
                    alerts.values().forEach(a -> a.tick(now).ifPresent(this::emit));
                    nextTick = now.plus(TICK);
                    if (now.isAfter(nextPrune)) {
                        explanations.prune(now);
                        nextPrune = now.plus(Duration.ofMinutes(1));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // one bad rule or store hiccup must not stop alerting for everything else
                LOG.warn("alert evaluation failed; going on", e);
            }
        }
    }

    private void load() throws InterruptedException {
        reload = false;
        // the transitions judged so far are recorded first: the open incidents read below include them
        try {
            recorder.submit(() -> { }).get(1, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("alerting: transitions still being recorded while the rules are read again: {}", e.toString());
        }
        List<StoredRule> all = rules.get().stream().filter(StoredRule::enabled).toList();
        enabled = new RuleIndex(all);
        // a changed rule judges afresh; alerts whose incident is open go on firing until they resolve
        Map<String, StoredRule> byId = new HashMap<>();
        all.forEach(r -> byId.put(r.id(), r));
        alerts.clear();
        byTask.clear();
        firingByTask.clear();
        groupedOnce.clear();
        Instant now = clock.instant();
        for (Key k : openIncidents.get()) {
            StoredRule rule = byId.get(k.ruleId());
            if (rule != null) {
                alerts.computeIfAbsent(k, key -> instance(rule, key.taskId())).resumeFiring(now);
                firingByTask.computeIfAbsent(k.taskId(), t -> new HashSet<>()).add(k.ruleId());
            }
        }
    }

    private AlertInstance instance(StoredRule rule, String taskId) {
        return new AlertInstance(rule.rule(), taskId, staleAfter(rule.rule()));
    }

    /** How long an agent may be silent and still count for {@code rule}: twice its window, at least 10 minutes. */
    public static Duration staleAfter(AlertRule rule) {
        Duration window = rule.condition().window().multipliedBy(2);
        return window.compareTo(STALE_AFTER) > 0 ? window : STALE_AFTER;
    }

    private void judgeEach(Stored s) {
        queued.addAndGet(-s.results().size());
        Instant arrived = clock.instant();
        for (ProbeResult r : s.results()) {
            long start = System.nanoTime();
            try {
                judge(s.agentId(), r, arrived, s.nanos());
            } catch (RuntimeException e) {
                LOG.warn("alert evaluation of result {} failed; going on", r.id(), e); // the others still count
            }
            judged.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private void judge(String agentId, ProbeResult result, Instant now, long storedNanos) {
        String taskId = result.taskId();
        Optional<TaskSpec> task = tasks.apply(taskId);
        if (task.isEmpty()) {
            return; // an instant test, or a task deleted meanwhile
        }
        boolean ok = result.status() == ProbeStatus.SUCCESS;
        explanations.record(agentId, taskId, ok, now);
        if (enabled.isEmpty()) {
            return;
        }
        TaskAlerts mine = byTask.get(taskId);
        if (mine == null || mine.task() != task.get()) {
            mine = alertsOf(task.get());
            byTask.put(taskId, mine);
        }
        Optional<Explanations.Explanation> why = ok ? Optional.empty()
                : explanations.explain(agentId, ancestors(taskId), now);
        if (why.isPresent()) {
            explained.increment();
            if (why.get().parentTaskId() != null) {
                group(why.get(), taskId, now);
            }
            for (AlertInstance alert : mine.alerts()) {
                alert.exclude(agentId, now).map(t -> t.causedBy(storedNanos)).ifPresent(this::emit);
            }
            return;
        }
        for (AlertInstance alert : mine.alerts()) {
            alert.add(agentId, result, now).map(t -> t.causedBy(storedNanos)).ifPresent(this::emit);
        }
    }

    /** Every task {@code taskId} depends on, directly or through others (a cycle the API refused is still cut). */
    private List<String> ancestors(String taskId) {
        List<String> direct = dependsOn.apply(taskId);
        if (direct.isEmpty()) {
            return direct;
        }
        List<String> out = new ArrayList<>();
        ArrayDeque<String> todo = new ArrayDeque<>(direct);
        while (!todo.isEmpty() && out.size() < 100) {
            String next = todo.poll();
            if (!next.equals(taskId) && !out.contains(next)) {
                out.add(next);
                todo.addAll(dependsOn.apply(next));
            }
        }
        return out;
    }

    /** Lists {@code taskId} under each firing alert of the task whose failure explains it, once per alert. */
    private void group(Explanations.Explanation e, String taskId, Instant now) {
        for (String ruleId : firingByTask.getOrDefault(e.parentTaskId(), Set.of())) {
            if (groupedOnce.add(ruleId + "|" + e.parentTaskId() + "|" + taskId)) {
                toRecorder(new Grouped(ruleId, e.parentTaskId(), taskId, now, e.reason()));
            }
        }
    }

    /** The alerts of the enabled rules that watch {@code task}, made when first needed. */
    private TaskAlerts alertsOf(TaskSpec task) {
        List<AlertInstance> found = new ArrayList<>();
        for (StoredRule r : enabled.matching(task)) {
            found.add(alerts.computeIfAbsent(new Key(r.id(), task.id()), k -> instance(r, task.id())));
        }
        return new TaskAlerts(task, List.copyOf(found));
    }

    private void emit(Transition t) {
        if (t.kind() == Transition.Kind.FIRING) {
            firingByTask.computeIfAbsent(t.taskId(), k -> new HashSet<>()).add(t.ruleId());
        } else if (t.kind() == Transition.Kind.RESOLVED) {
            Set<String> firing = firingByTask.get(t.taskId());
            if (firing != null && firing.remove(t.ruleId()) && firing.isEmpty()) {
                firingByTask.remove(t.taskId());
            }
            String prefix = t.ruleId() + "|" + t.taskId() + "|";
            groupedOnce.removeIf(k -> k.startsWith(prefix));
        }
        toRecorder(t);
    }

    /** Hands a transition or grouping to the recorder thread, after those judged before it. */
    private void toRecorder(Object judged) {
        unrecorded.add(judged);
        try {
            recorder.execute(this::recordJudged);
        } catch (RejectedExecutionException closing) {
            // closed meanwhile: the replica judging next judges it again from the open incidents
        }
    }

    /**
     * Records all that was judged so far (on the recorder thread): consecutive transitions together, groupings one
     * by one, in order. A failure is logged and the rest still recorded.
     */
    private void recordJudged() {
        List<Transition> batch = new ArrayList<>();
        for (Object next = unrecorded.poll(); next != null; next = unrecorded.poll()) {
            if (next instanceof Transition t) {
                batch.add(t);
                if (batch.size() == BATCH) {
                    recordBatch(batch);
                    batch = new ArrayList<>();
                }
            } else {
                recordBatch(batch);
                batch = new ArrayList<>();
                Grouped g = (Grouped) next;
                try {
                    grouped.accept(g);
                } catch (RuntimeException e) {
                    LOG.warn("task {} not grouped under alert {}: {}", g.taskId(), g.ruleId(), e.toString());
                }
            }
        }
        recordBatch(batch);
    }

    private void recordBatch(List<Transition> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            sink.accept(List.copyOf(batch));
        } catch (RuntimeException e) {
            LOG.warn("{} alert transitions not recorded (the first: alert {} on task {}, {}): {}", batch.size(),
                    batch.get(0).ruleId(), batch.get(0).taskId(), batch.get(0).kind(), e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        recorder.shutdown(); // what was judged is still recorded (recording is idempotent)
    }
}
