package dev.vantage.server.agents.assignment;

import dev.vantage.server.tasks.StoredTask;
import java.util.List;
import java.util.Optional;

/** What the hub needs to know about tasks: the enabled ones, with secrets, as agents must run them. */
public interface TaskCatalog {

    List<StoredTask> enabledTasks();

    /** One task, enabled or not: what a change of that task means for the agents, without reading all of them. */
    Optional<StoredTask> find(String taskId);

    /** Whether results with this task id may be stored: a task (enabled or not) or an instant test. */
    boolean exists(String taskId);
}
