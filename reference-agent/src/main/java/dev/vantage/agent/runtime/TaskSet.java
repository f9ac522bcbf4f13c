package dev.vantage.agent.runtime;

import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Policy;
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the server assigns — the full task set, changes, the address policy, instant tests — to the engine,
 * and answers with a {@code rejected} for every task the engine cannot run. Called on the uplink thread only.
 */
final class TaskSet {
    private static final Logger LOG = LoggerFactory.getLogger(TaskSet.class);
    /** Used when the server's policy cannot be read: probing nothing is safer than probing what it meant to forbid. */
    private static final AddressPolicy DENY_ALL = AddressPolicy.builder().deny("0.0.0.0/0").deny("::/0").build();

    private final ProbeEngine engine;
    private final Consumer<String> removed;

    /** @param removed told the id of each task the agent stops running */
    TaskSet(ProbeEngine engine, Consumer<String> removed) {
        this.engine = engine;
        this.removed = removed;
    }

    TaskSet(ProbeEngine engine) {
        this(engine, id -> { });
    }

    private void unschedule(String taskId) {
        if (engine.unschedule(taskId)) {
            removed.accept(taskId);
        }
    }

    /** The replies to one server message. */
    List<Message> apply(Message m) {
        List<Message> replies = new ArrayList<>();
        switch (m) {
            case Message.Welcome w -> {
                replies.addAll(policy(w.policy()));
                Set<String> wanted = new HashSet<>();
                for (TaskSpec t : w.tasks()) {
                    wanted.add(t.id());
                    upsert(t, replies);
                }
                // the welcome is the complete set: anything else left from before (or another server) stops
                for (TaskSpec running : engine.scheduledTasks()) {
                    if (!wanted.contains(running.id())) {
                        unschedule(running.id());
                    }
                }
            }
            case Message.TaskChanges c -> {
                c.upsert().forEach(t -> upsert(t, replies));
                c.remove().forEach(this::unschedule);
            }
            case Message.PolicyUpdate p -> replies.addAll(policy(p.policy()));
            case Message.InstantTest i -> {
                // the results must carry the instant-test id as their task id
                TaskSpec task = i.task().id().equals(i.id()) ? i.task() : i.task().toBuilder().id(i.id()).build();
                String problem = problems(task);
                if (problem != null) {
                    replies.add(new Message.Rejected(i.id(), problem));
                } else {
                    engine.runOnce(task); // the result reaches the server through the spool like any other
                }
            }
            default -> throw new IllegalArgumentException("not a message for the agent to apply: " + m.type());
        }
        return replies;
    }

    private void upsert(TaskSpec task, List<Message> replies) {
        String problem = problems(task);
        if (problem == null) {
            try {
                engine.schedule(task);
                return;
            } catch (InvalidTaskException e) { // e.g. no interval: validate does not ask for one
                problem = describe(e.problems());
            }
        }
        // a changed task the agent cannot run must not keep running in its old form
        unschedule(task.id());
        LOG.warn("rejected task {}: {}", task.id(), problem);
        replies.add(new Message.Rejected(task.id(), problem));
    }

    /** Why the engine cannot run {@code task}, or null if it can. */
    private String problems(TaskSpec task) {
        if (!engine.descriptors().containsKey(task.type())) {
            return "unknown probe type '" + task.type() + "'";
        }
        List<ConfigProblem> problems = engine.validate(task);
        return problems.isEmpty() ? null : describe(problems);
    }

    private static String describe(List<ConfigProblem> problems) {
        return problems.stream().map(p -> p.field() + ": " + p.reason()).collect(Collectors.joining("; "));
    }

    private List<Message> policy(Policy policy) {
        try {
            engine.addressPolicy(policy.toAddressPolicy());
            return List.of();
        } catch (IllegalArgumentException e) {
            engine.addressPolicy(DENY_ALL);
            LOG.error("the server's address policy is invalid ({}): probing no address until a valid one arrives",
                    e.getMessage());
            return List.of(new Message.ErrorReply("policy: " + e.getMessage()));
        }
    }
}
