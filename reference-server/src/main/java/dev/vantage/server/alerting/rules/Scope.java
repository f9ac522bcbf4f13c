package dev.vantage.server.alerting.rules;

import dev.vantage.server.errors.InvalidFieldException;

/**
 * Whose results a condition judges. {@link PerAgent}: each agent's own, and the rule is bad when enough agents are
 * (one bad vantage point must not page anyone). {@link Merged}: all agents' results as one series.
 */
public sealed interface Scope {

    /**
     * Bad when at least {@code minAgents} agents are bad and they are at least {@code minPercent} of the agents that
     * can tell (0 for no share).
     */
    record PerAgent(int minAgents, double minPercent) implements Scope {
        public static final PerAgent ANY_ONE = new PerAgent(1, 0);
        /** More agents than any deployment has: a larger minAgents is a typo. */
        public static final int MAX_AGENTS = 100_000;

        public PerAgent {
            if (minAgents < 1 || minAgents > MAX_AGENTS) {
                throw new InvalidFieldException("minAgents", "rule.minAgents", MAX_AGENTS);
            }
            if (!(minPercent >= 0 && minPercent <= 100)) {
                throw new InvalidFieldException("minPercent", "rule.percent");
            }
        }
    }

    /** All agents' results together, as if one agent had sent them. */
    record Merged() implements Scope {
    }
}
