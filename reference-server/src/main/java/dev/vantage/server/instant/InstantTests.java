package dev.vantage.server.instant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.json.TaskSpecJson;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.dispatch.Control;
import dev.vantage.server.dispatch.Dispatch;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.tasks.Selector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * "Run this probe now from these agents": sends the probe to every matching online agent at once and keeps the
 * request, so its results (stored like any other, with the instant-test id as task id) can be read back and
 * streamed live as agents answer. With several replicas, each sends the test to the agents connected to it and
 * records which it asked, so every replica reads the same list.
 */
public final class InstantTests {
    /** How long a start waits for other replicas to report the agents they asked. */
    private static final Duration OTHERS = Duration.ofSeconds(2);

    /** What instant tests need of the agents; the server wires it to the agents slice. */
    public interface Agents {
        /** Sends the test to the matching agents connected to this replica; returns the ids it went to. */
        List<String> send(String instantId, TaskSpec task, Selector selector);

        /** The agents, on any replica, heard from since {@code since}, that match and have the probe type. */
        Set<String> candidates(TaskSpec task, Selector selector, Instant since);

        /** An agent's name and labels, for display. */
        Optional<Agent> find(String agentId);
    }

    /** An agent as an instant test shows it. */
    public record Agent(String id, String name, Map<String, String> labels) {
    }

    /** One stored result of an instant test. */
    public record Answer(String agentId, String resultJson) {
    }

    /** Where the answers are read: the results stored under the instant test's id, oldest first. */
    @FunctionalInterface
    public interface Answers {
        List<Answer> of(String instantId);
    }

    private final InstantTestStore store;
    private final Agents agents;
    private final Answers answers;
    private final Dispatch dispatch;
    private final Clock clock;
    private final Duration heartbeat;

    public InstantTests(InstantTestStore store, Agents agents, Answers answers, Dispatch dispatch, Clock clock,
                        Duration heartbeat) {
        this.store = store;
        this.agents = agents;
        this.answers = answers;
        this.dispatch = dispatch;
        this.clock = clock;
        this.heartbeat = heartbeat;
        dispatch.listen(this::apply);
    }

    /** Stores the request, then sends it; the spec's id becomes the test's id and it runs once. */
    public InstantTestStore.Started start(TaskSpec spec, Selector selector, String createdBy) {
        String id = UUID.randomUUID().toString();
        TaskSpec task = spec.toBuilder().id(id).interval(null).build();
        Instant now = clock.instant();
        store.insert(task, createdBy, now); // before sending, so a result can never arrive for an unknown id
        store.recordAsked(id, agents.send(id, task, selector));
        if (dispatch.distributed()) {
            dispatch.broadcast(new Control(Control.INSTANT, id,
                    JsonMapping.write(Map.of("task", TaskSpecJson.toJson(task), "selector", selector.toJson()))));
            awaitOthers(id, agents.candidates(task, selector, now.minus(heartbeat.multipliedBy(2))));
        }
        return new InstantTestStore.Started(id, task, store.asked(id), now, createdBy);
    }

    /** Another replica started an instant test: send it to the matching agents connected here. */
    private void apply(Control c) {
        if (!Control.INSTANT.equals(c.kind())) {
            return;
        }
        JsonNode body = JsonMapping.parseStored(c.body());
        TaskSpec task = TaskSpecJson.parse(body.get("task"));
        List<FieldError> errors = new ArrayList<>();
        Selector selector = Selector.parse(body.get("selector"), errors);
        if (errors.isEmpty()) {
            store.recordAsked(c.id(), agents.send(c.id(), task, selector));
        }
    }

    /**
     * Runs {@code spec} now on one agent, as an instant test, and waits up to {@code wait} for its result: a
     * blackbox scrape through the server. The result is stored like any instant test's.
     *
     * @return the result, or empty if none arrived in time
     * @throws NotFoundException if there is no such agent
     * @throws ConflictException if the agent is not online (on any replica) or lacks the probe type
     */
    public Optional<ProbeResult> runOn(String agentId, TaskSpec spec, String createdBy, Duration wait) {
        if (agents.find(agentId).isEmpty()) {
            throw new NotFoundException("agent");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        InstantTestStore.Started started = start(spec, new Selector.Agent(agentId), createdBy);
        if (started.agentIds().isEmpty()) {
            throw new ConflictException(Message.of("instant.noAgent", spec.type()));
        }
        long pause = 5; // ms; a loopback probe answers in a few, a remote one rarely under a hundred
        while (true) {
            for (Answer a : answers(started.id())) {
                if (a.agentId().equals(agentId)) {
                    return Optional.of(ResultJson.parse(a.resultJson()));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            pause = Math.min(pause * 2, 100);
        }
    }

    /** Waits, briefly, until the replicas holding the candidates have recorded sending to them. */
    private void awaitOthers(String id, Set<String> candidates) {
        long until = System.nanoTime() + OTHERS.toNanos();
        while (!store.asked(id).containsAll(candidates) && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public Optional<InstantTestStore.Started> get(String id) {
        return store.get(id);
    }

    /** The results stored so far, oldest first. */
    public List<Answer> answers(String id) {
        return answers.of(id);
    }

    /** An agent as shown beside its answer. */
    public Optional<Agent> agent(String agentId) {
        return agents.find(agentId);
    }
}
