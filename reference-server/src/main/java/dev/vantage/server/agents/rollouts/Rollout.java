package dev.vantage.server.agents.rollouts;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout of release {@code version} to the agents {@code selector} (its JSON) matched, {@code percent} of them,
 * in waves: one agent, then a quarter, then all. {@code state}: {@code running}, {@code halted} (an agent failed or
 * rolled back; later waves untouched), {@code completed} or {@code cancelled}.
 */
public record Rollout(String id, String version, String selector, int percent, Duration agentTimeout, String state,
                      int wave, String reason, String createdBy, Instant createdAt, Instant updatedAt,
                      List<Target> targets) {
    public static final String RUNNING = "running";
    public static final String HALTED = "halted";
    public static final String COMPLETED = "completed";
    public static final String CANCELLED = "cancelled";

    /** Agent states. */
    public static final String PENDING = "pending";
    public static final String UPDATING = "updating";
    public static final String HEALTHY = "healthy";
    public static final String ROLLED_BACK = "rolledBack";
    public static final String FAILED = "failed";

    /**
     * One agent in a rollout: its {@code wave}, {@code state} (pending, updating, healthy, rolledBack, failed), the
     * last step the agent reported while updating (downloading, switching) and why it failed.
     */
    public record Target(String agentId, int position, int wave, String state, String step, String reason,
                         Instant updatedAt) {
        public boolean failed() {
            return state.equals(FAILED) || state.equals(ROLLED_BACK);
        }

        Map<String, Object> toJson(String name) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("agentId", agentId);
            m.put("name", name);
            m.put("wave", wave);
            m.put("state", state);
            m.put("step", step);
            m.put("reason", reason);
            m.put("updatedAt", updatedAt.toString());
            return m;
        }
    }

    /** How many agents are in each state. */
    public Map<String, Integer> progress() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String s : List.of(PENDING, UPDATING, HEALTHY, ROLLED_BACK, FAILED)) {
            m.put(s, (int) targets.stream().filter(t -> t.state().equals(s)).count());
        }
        return m;
    }
}
