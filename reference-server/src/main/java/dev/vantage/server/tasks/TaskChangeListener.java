package dev.vantage.server.tasks;

/**
 * Told about task changes after they are committed, on the thread that made the change. Implementations must be
 * quick and must not throw (an exception is logged and ignored); hand longer work to your own executor.
 */
public interface TaskChangeListener {
    /** A task was created, updated, enabled or disabled. */
    void changed(StoredTask task);

    /** A task was deleted. */
    void removed(String taskId);
}
