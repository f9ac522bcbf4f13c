package dev.vantage.server.agents.assignment;

import dev.vantage.server.tasks.StoredTask;
import java.util.List;
import java.util.Set;

/** What the hub needs to know about tasks: the enabled ones, with secrets, as agents must run them. */
public interface TaskCatalog {

    List<StoredTask> enabledTasks();

    /** Whether results with this task id may be stored: a task (enabled or not) or an instant test. */
    boolean exists(String taskId);
}
