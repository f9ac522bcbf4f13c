package dev.vantage.server.agents.assignment;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.errors.Message;
import dev.vantage.server.tasks.StoredTask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which tasks an agent runs: a pure function of the agent (id, labels, installed probe types) and the enabled tasks,
 * and the difference between two such sets, which is what goes over the wire. No sockets, no state: the gateway
 * keeps what each agent was told and calls this.
 */
public final class Assignment {
    private Assignment() {
    }

    /**
     * An agent's task set.
     *
     * @param tasks    the tasks it must run, by id, in the catalog's order
     * @param problems tasks it was selected for but cannot run (no plugin for the type), by id, with the reason
     */
    public record TaskSet(Map<String, TaskSpec> tasks, Map<String, Message> problems) {
        public TaskSet {
            tasks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
            problems = Map.copyOf(problems);
        }
    }

    /**
     * What changed between two task sets.
     *
     * @param upsert tasks that are new or different
     * @param remove ids of tasks no longer in the set
     */
    public record Diff(List<TaskSpec> upsert, List<String> remove) {
        public Diff {
            upsert = List.copyOf(upsert);
            remove = List.copyOf(remove);
        }

        public boolean isEmpty() {
            return upsert.isEmpty() && remove.isEmpty();
        }
    }

    /** The tasks whose selector matches the agent, split into those it can run and those it lacks a plugin for. */
    public static TaskSet of(String agentId, Map<String, String> labels, Set<String> types, List<StoredTask> tasks) {
        Map<String, TaskSpec> out = new LinkedHashMap<>();
        Map<String, Message> missing = new LinkedHashMap<>();
        for (StoredTask t : tasks) {
            if (!t.selector().matches(agentId, labels)) {
                continue;
            }
            if (types.contains(t.spec().type())) {
                out.put(t.spec().id(), t.spec());
            } else {
                missing.put(t.spec().id(), Message.of("agent.noPlugin", t.spec().type()));
            }
        }
        return new TaskSet(out, missing);
    }

    /** From {@code before} to {@code after}: changed or new tasks to send, and ids to remove. */
    public static Diff diff(Map<String, TaskSpec> before, Map<String, TaskSpec> after) {
        List<TaskSpec> upsert = after.values().stream().filter(t -> !t.equals(before.get(t.id()))).toList();
        List<String> remove = before.keySet().stream().filter(id -> !after.containsKey(id)).toList();
        return new Diff(upsert, remove);
    }
}
