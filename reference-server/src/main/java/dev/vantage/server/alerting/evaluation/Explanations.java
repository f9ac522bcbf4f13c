package dev.vantage.server.alerting.evaluation;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Why a failure seen from an agent may not be its target's fault, from the latest outcome of every task on every
 * agent:
 * <ul>
 *   <li>a task it depends on (its {@code dependsOn}, or theirs) fails from the same agent: the gateway or resolver in
 *       front of the target is down there, so this failure is that one's;</li>
 *   <li>the agent's own network is gone: every one of its tasks (at least {@value #MIN_TASKS}) fails while other
 *       agents see tasks succeed. One agent losing its uplink must never page as "every target down".</li>
 * </ul>
 * Not thread-safe: the engine's thread only.
 */
final class Explanations {
    /** Outcomes older than this say nothing about now. */
    static final Duration FRESH = Duration.ofMinutes(10);
    /** Fewer tasks failing together than this could be real outages of their own. */
    static final int MIN_TASKS = 3;

    private record Latest(boolean ok, Instant at) {
    }

    /**
     * @param parentTaskId the task whose failure explains it, or {@code null} when the agent's network does
     * @param reason       for people
     */
    record Explanation(String parentTaskId, Summary reason) {
    }

    private static final class Agent {
        final Map<String, Latest> tasks = new HashMap<>();
        int failing;
    }

    private final Map<String, Agent> agents = new HashMap<>();
    /** (agent, task) pairs whose latest outcome is a success, over all agents. */
    private long succeeding;

    /** Takes the outcome of one result. */
    void record(String agentId, String taskId, boolean ok, Instant at) {
        Agent a = agents.computeIfAbsent(agentId, k -> new Agent());
        Latest before = a.tasks.put(taskId, new Latest(ok, at));
        if (before != null) {
            forget(a, before);
        }
        count(a, ok, +1);
    }

    /**
     * Why a failure of {@code taskId} from {@code agentId} is explained by something else, if it is.
     *
     * @param ancestors the tasks it depends on, directly or not
     */
    Optional<Explanation> explain(String agentId, List<String> ancestors, Instant now) {
        Agent a = agents.get(agentId);
        if (a == null) {
            return Optional.empty();
        }
        for (String parent : ancestors) {
            Latest l = a.tasks.get(parent);
            if (l != null && !l.ok() && l.at().isAfter(now.minus(FRESH))) {
                return Optional.of(new Explanation(parent, Summary.of("explain.dependency", parent)));
            }
        }
        if (networkLost(a)) {
            return Optional.of(new Explanation(null,
                    Summary.of("explain.network")));
        }
        return Optional.empty();
    }

    /** Whether the agent's own network looks gone. */
    boolean networkLost(String agentId) {
        Agent a = agents.get(agentId);
        return a != null && networkLost(a);
    }

    private boolean networkLost(Agent a) {
        // this agent has no success, so every success counted is another agent's
        return a.tasks.size() >= MIN_TASKS && a.failing == a.tasks.size() && succeeding > 0;
    }

    /** Drops outcomes too old to mean anything (tasks deleted or moved, agents gone). */
    void prune(Instant now) {
        Instant limit = now.minus(FRESH);
        for (Iterator<Agent> agentIt = agents.values().iterator(); agentIt.hasNext(); ) {
            Agent a = agentIt.next();
            for (Iterator<Latest> it = a.tasks.values().iterator(); it.hasNext(); ) {
                Latest l = it.next();
                if (l.at().isBefore(limit)) {
                    forget(a, l);
                    it.remove();
                }
            }
            if (a.tasks.isEmpty()) {
                agentIt.remove();
            }
        }
    }

    private void forget(Agent a, Latest l) {
        count(a, l.ok(), -1);
    }

    private void count(Agent a, boolean ok, int delta) {
        if (ok) {
            succeeding += delta;
        } else {
            a.failing += delta;
        }
    }
}
