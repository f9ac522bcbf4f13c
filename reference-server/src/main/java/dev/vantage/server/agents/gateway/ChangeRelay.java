package dev.vantage.server.agents.gateway;

import dev.vantage.server.dispatch.Control;
import dev.vantage.server.dispatch.Dispatch;
import dev.vantage.server.tasks.StoredTask;
import dev.vantage.server.tasks.TaskChangeListener;

/**
 * Brings task and agent changes to every agent connection, wherever it is: applies a change to the connections of
 * this replica's {@link AgentGateway} and tells the other replicas, which apply it to theirs.
 */
public final class ChangeRelay implements TaskChangeListener {
    private final AgentGateway gateway;
    private final Dispatch dispatch;

    public ChangeRelay(AgentGateway gateway, Dispatch dispatch) {
        this.gateway = gateway;
        this.dispatch = dispatch;
        dispatch.listen(this::apply);
    }

    @Override
    public void changed(StoredTask task) {
        announce(Control.of(Control.TASKS, task.id()));
    }

    @Override
    public void removed(String taskId) {
        announce(Control.of(Control.TASKS, taskId));
    }

    /** An agent's labels or policy changed. */
    public void agentChanged(String agentId) {
        announce(Control.of(Control.AGENT, agentId));
    }

    /** An agent was revoked: its connection closes wherever it is. */
    public void revoked(String agentId) {
        announce(Control.of(Control.REVOKED, agentId));
    }

    private void announce(Control change) {
        apply(change);
        dispatch.broadcast(change);
    }

    private void apply(Control change) {
        switch (change.kind()) {
            // one task: a delta of that task only (issue 13: re-reading every task per change made creating N tasks
            // cost O(N^2)); no id (a replica of an older version, or a missed message): everything again
            case Control.TASKS -> {
                if (change.id() == null) {
                    gateway.tasksChanged();
                } else {
                    gateway.taskChanged(change.id());
                }
            }
            case Control.RESYNC -> gateway.tasksChanged(); // re-reads every connected agent too
            case Control.AGENT -> gateway.agentChanged(change.id());
            case Control.REVOKED -> gateway.revoked(change.id());
            default -> { } // for other listeners
        }
    }
}
