package dev.vantage.server.alerting;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.alerting.evaluation.AlertEngine;
import dev.vantage.server.alerting.evaluation.Grouped;
import dev.vantage.server.alerting.evaluation.Transition;
import dev.vantage.server.alerting.incidents.IncidentStore;
import dev.vantage.server.alerting.notify.Notifier;
import dev.vantage.server.alerting.silences.Silence;
import dev.vantage.server.alerting.silences.SilenceStore;
import dev.vantage.server.alerting.rules.RuleStore;
import dev.vantage.server.dispatch.Evaluator;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import dev.vantage.server.live.LiveFeed;
import dev.vantage.server.tasks.StoredTask;
import dev.vantage.server.tasks.TaskChangeListener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerting in this server: the {@link AlertEngine} judging stored results, each transition recorded as an incident
 * (once, however many times it is reported) with its notifications queued, published on the live feed, and the
 * {@link Notifier} woken to send them. Listens to task changes to keep its view of the tasks current.
 *
 * <p>It is the cluster's {@link Evaluator} while the dispatch says it is this replica's turn ({@link #activate}):
 * only then does an engine exist, resuming the open incidents; in standby nothing is judged here, so two replicas
 * never judge (nor remind of) the same alert.
 */
public final class Alerting implements ApiModule, TaskChangeListener, Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);

    private final RuleStore rules;
    private final SilenceStore silences;
    private final Function<String, Optional<StoredTask>> task;
    private final IncidentStore incidents;
    private final LiveFeed live;
    private final Map<String, StoredTask> tasks = new ConcurrentHashMap<>();
    private final Supplier<AlertEngine> engines;
    private final Notifier notifier;
    /** The engine while this replica judges; null in standby. */
    private volatile AlertEngine engine;

    /** @param taskLookup a task by id, read once and kept until the task changes */
    public Alerting(RuleStore rules, IncidentStore incidents, SilenceStore silences,
                    Function<String, Optional<StoredTask>> taskLookup, Notifier notifier, LiveFeed live, Clock clock,
                    MeterRegistry registry) {
        this.silences = silences;
        this.notifier = notifier;
        this.rules = rules;
        this.incidents = incidents;
        this.live = live;
        // only tasks are kept: instant tests (a new id each) and unknown ids are looked up and forgotten
        Function<String, Optional<StoredTask>> cached = id -> Optional.ofNullable(tasks.get(id))
                .or(() -> taskLookup.apply(id).map(t -> {
                    tasks.put(id, t);
                    return t;
                }));
        this.task = cached;
        this.engines = () -> new AlertEngine(rules::all, id -> cached.apply(id).map(StoredTask::spec),
                id -> cached.apply(id).map(StoredTask::dependsOn).orElse(List.of()),
                () -> incidents.open().stream().map(i -> Map.entry(i.ruleId(), i.taskId())).toList(),
                this::record, this::group, clock, registry);
        Gauge.builder("vantage.alerting.active", () -> engine == null ? 0 : 1)
                .description("1 while this replica is the one judging alert rules").register(registry);
    }

    @Override
    public synchronized void activate() {
        if (engine == null) {
            engine = engines.get();
        }
    }

    @Override
    public synchronized void standby() {
        AlertEngine e = engine;
        engine = null;
        if (e != null) {
            e.close();
        }
    }

    @Override
    public void judge(String agentId, List<ProbeResult> results) {
        AlertEngine e = engine;
        if (e != null) {
            e.stored(agentId, results);
        }
    }

    /** Rules or silences changed, here or on another replica: read them again. */
    public void rulesChanged() {
        silences.forget();
        AlertEngine e = engine;
        if (e != null) {
            e.rulesChanged();
        }
    }

    /** Tasks changed on another replica: look them up afresh. */
    public void tasksChanged() {
        tasks.clear();
    }

    /** Records transitions judged together in one transaction, then tells the live feed and the notifier. */
    private void record(List<Transition> judged) {
        List<IncidentStore.ToRecord> batch = judged.stream().map(t -> new IncidentStore.ToRecord(t,
                rules.find(t.ruleId()).map(r -> r.definition().channelIds()).orElse(List.of()),
                task.apply(t.taskId()).flatMap(stored -> silences.all().stream()
                        .filter(s -> s.silences(t.ruleId(), stored.spec(), t.at())).findFirst())
                        .map(Silence::id).orElse(null))).toList();
        List<Optional<IncidentStore.Recorded>> recorded = incidents.record(batch);
        for (int i = 0; i < batch.size(); i++) {
            IncidentStore.ToRecord r = batch.get(i);
            recorded.get(i).ifPresent(done -> {
                Transition t = r.transition();
                LOG.info("incident {} of rule {} on task {}: {} ({})", done.incident().id(), t.ruleId(), t.taskId(),
                        done.event().kind(), t.summary());
                publish(done, r.silencedBy());
                if (r.silencedBy() == null && !r.channelIds().isEmpty()) {
                    notifier.queued(done.event().id(), t.resultNanos());
                }
            });
        }
    }

    /** An entry people added to a timeline (an acknowledgement, a note): on the live feed too. */
    public void added(IncidentStore.Recorded recorded) {
        publish(recorded, null);
    }

    /** The live feed's "incident" event: a new entry on an incident's timeline. */
    private void publish(IncidentStore.Recorded recorded, String silencedBy) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("incidentId", recorded.incident().id());
        event.put("ruleId", recorded.incident().ruleId());
        event.put("taskId", recorded.incident().taskId());
        event.put("kind", recorded.event().kind());
        event.put("at", recorded.event().at().toString());
        event.put("summary", recorded.event().summary().toString()); // English: clients read the incident itself
        event.put("silencedBy", silencedBy);
        live.publish("incident", event);
    }

    private void group(Grouped g) {
        incidents.group(g).ifPresent(recorded -> {
            LOG.info("incident {}: task {} grouped under it ({})", recorded.incident().id(), g.taskId(), g.reason());
            publish(recorded, null);
        });
    }

    @Override
    public void changed(StoredTask task) {
        tasks.remove(task.id());
    }

    @Override
    public void removed(String taskId) {
        tasks.remove(taskId);
    }

    @Override
    public void routes(Routes routes) {
        // the APIs are AlertRulesApi and IncidentsApi
    }

    @Override
    public void close() {
        standby();
        notifier.close();
    }
}
