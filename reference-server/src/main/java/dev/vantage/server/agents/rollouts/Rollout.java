package dev.vantage.server.agents.rollouts;

import dev.vantage.server.errors.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A rollout of release {@code version} to the agents {@code selector} (its JSON) matched, {@code percent} of them,
 * in waves: one agent, then a quarter, then all. {@code state}: {@code running}, {@code halted} (an agent failed or
 * rolled back; later waves untouched), {@code completed} or {@code cancelled}. Reasons are told in each reader's
 * language; an agent's own words are quoted in them as data.
 */
public record Rollout(String id, String version, String selector, int percent, Duration agentTimeout, String state,
                      int wave, Message reason, String createdBy, Instant createdAt, Instant updatedAt,
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
    public record Target(String agentId, int position, int wave, String state, String step, Message reason,
                         Instant updatedAt) {
        public boolean failed() {
            return state.equals(FAILED) || state.equals(ROLLED_BACK);
        }

        Map<String, Object> toJson(String name, Locale locale) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("agentId", agentId);
            m.put("name", name);
            m.put("wave", wave);
            m.put("state", state);
            m.put("step", step);
            m.put("reason", reason == null ? null : reason.in(locale));
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
