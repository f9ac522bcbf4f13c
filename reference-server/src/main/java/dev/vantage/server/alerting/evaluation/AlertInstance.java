package dev.vantage.server.alerting.evaluation;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.alerting.rules.AlertRule;
import dev.vantage.server.alerting.rules.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One rule applied to one task: the per-agent (or merged) series, the verdict across them, and the state machine
 * OK → PENDING (bad, for less than {@code pendingFor}) → FIRING → RESOLVING (good, for less than
 * {@code resolveAfter}) → OK. A result that turns bad again while resolving returns to FIRING without a new
 * notification, so a flapping target is one incident. Time is passed in: results as they arrive, and
 * {@link #tick} for what changes with time alone (windows sliding, pending and resolving timers, reminders).
 * Not thread-safe: one caller at a time.
 */
public final class AlertInstance {
    /** Where an alert stands. */
    public enum State { OK, PENDING, FIRING, RESOLVING }

    /** Merged scope: all agents' results go to this one series. */
    private static final String ALL = "*";

    private final AlertRule rule;
    private final String taskId;
    private final Duration staleAfter;
    private final Map<String, Series> series = new LinkedHashMap<>();
    private State state = State.OK;
    private Instant since;
    private Instant lastNotified;

    private static final class Series {
        final SeriesJudge judge;
        Instant lastSeen;
        String lastResultId;

        Series(SeriesJudge judge) {
            this.judge = judge;
        }
    }

    /**
     * @param staleAfter an agent silent this long no longer counts (it went offline, or stopped running the task);
     *                   its absence is the agents' health to report, not the target's
     */
    public AlertInstance(AlertRule rule, String taskId, Duration staleAfter) {
        this.rule = rule;
        this.taskId = taskId;
        this.staleAfter = staleAfter;
    }

    public State state() {
        return state;
    }

    /**
     * Continues an alert whose incident is still open (after a restart, or a rule change): it is FIRING, and resolves
     * once its condition has been good for {@code resolveAfter}, without firing again.
     */
    public void resumeFiring(Instant now) {
        state = State.FIRING;
        lastNotified = now;
    }

    /** Takes one result of the task from {@code agentId}, arrived at {@code now}; returns what people must hear. */
    public Optional<Transition> add(String agentId, ProbeResult r, Instant now) {
        String key = rule.scope() instanceof Scope.Merged ? ALL : agentId;
        Series s = series.computeIfAbsent(key, k -> new Series(SeriesJudge.of(rule.condition())));
        s.judge.add(r, now);
        s.lastSeen = now;
        s.lastResultId = r.id();
        return tick(now);
    }

    /**
     * Stops counting {@code agentId} (its failures are explained by something else: a dependency, its own network)
     * until its next counted result, and re-judges. A merged series keeps the agent's earlier results: they were
     * counted before anything explained them.
     */
    public Optional<Transition> exclude(String agentId, Instant now) {
        if (rule.scope() instanceof Scope.Merged) {
            return Optional.empty();
        }
        series.remove(agentId);
        return tick(now);
    }

    /** Re-judges at {@code now} without a new result. */
    public Optional<Transition> tick(Instant now) {
        dropStale(now);
        Judgement j = judge(now);
        return step(j, now);
    }

    private void dropStale(Instant now) {
        Instant limit = now.minus(staleAfter);
        for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
            if (it.next().lastSeen.isBefore(limit)) {
                it.remove();
            }
        }
    }

    private record Judgement(Verdict verdict, List<String> badAgents, List<String> evidence, String summary) {
    }

    /** The verdict across the series: for a per-agent scope, bad when enough agents are. */
    private Judgement judge(Instant now) {
        if (series.isEmpty()) {
            return new Judgement(Verdict.UNKNOWN, List.of(), List.of(), "no results");
        }
        if (rule.scope() instanceof Scope.Merged) {
            Series s = series.get(ALL);
            Verdict v = s.judge.verdict(now);
            return new Judgement(v, List.of(), List.of(s.lastResultId), s.judge.summary());
        }
        Scope.PerAgent quorum = (Scope.PerAgent) rule.scope();
        List<String> bad = new ArrayList<>();
        List<String> evidence = new ArrayList<>();
        String firstBadSummary = null;
        String anySummary = null;
        int unknown = 0;
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Verdict v = e.getValue().judge.verdict(now);
            anySummary = anySummary == null ? e.getValue().judge.summary() : anySummary;
            if (v == Verdict.BAD) {
                bad.add(e.getKey());
                evidence.add(e.getValue().lastResultId);
                firstBadSummary = firstBadSummary == null ? e.getValue().judge.summary() : firstBadSummary;
            } else if (v == Verdict.UNKNOWN) {
                unknown++;
            }
        }
        int total = series.size();
        Verdict verdict;
        if (reaches(bad.size(), total, quorum)) {
            verdict = Verdict.BAD;
        } else if (!reaches(bad.size() + unknown, total, quorum)) {
            verdict = Verdict.GOOD; // even if every undecided agent turned bad, the quorum would not be reached
        } else {
            verdict = Verdict.UNKNOWN;
        }
        String summary = bad.size() + " of " + total + " agents bad (rule: at least " + quorum.minAgents()
                + (quorum.minPercent() > 0 ? " and " + quorum.minPercent() + "%" : "") + ")"
                + (firstBadSummary != null ? "; " + bad.get(0) + ": " + firstBadSummary : "; " + anySummary);
        return new Judgement(verdict, bad, evidence, summary);
    }

    private static boolean reaches(int bad, int total, Scope.PerAgent quorum) {
        return bad >= quorum.minAgents() && bad * 100.0 >= quorum.minPercent() * total;
    }

    private Optional<Transition> step(Judgement j, Instant now) {
        switch (state) {
            case OK -> {
                if (j.verdict() == Verdict.BAD) {
                    since = now;
                    state = State.PENDING;
                    return rule.pendingFor().isZero() ? fire(j, now) : Optional.empty();
                }
            }
            case PENDING -> {
                if (j.verdict() == Verdict.GOOD) {
                    state = State.OK;
                } else if (j.verdict() == Verdict.BAD && !now.isBefore(since.plus(rule.pendingFor()))) {
                    return fire(j, now);
                }
            }
            case FIRING -> {
                if (j.verdict() == Verdict.GOOD) {
                    since = now;
                    state = State.RESOLVING;
                    return rule.resolveAfter().isZero() ? resolve(j, now) : Optional.empty();
                }
                if (rule.repeatEvery() != null && !now.isBefore(lastNotified.plus(rule.repeatEvery()))) {
                    lastNotified = now;
                    return Optional.of(transition(Transition.Kind.REMINDER, j, now));
                }
            }
            case RESOLVING -> {
                if (j.verdict() == Verdict.BAD) {
                    state = State.FIRING; // flapping: the same incident goes on, nobody is told again
                } else if (j.verdict() == Verdict.GOOD && !now.isBefore(since.plus(rule.resolveAfter()))) {
                    return resolve(j, now);
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Transition> fire(Judgement j, Instant now) {
        state = State.FIRING;
        lastNotified = now;
        return Optional.of(transition(Transition.Kind.FIRING, j, now));
    }

    private Optional<Transition> resolve(Judgement j, Instant now) {
        state = State.OK;
        lastNotified = now;
        return Optional.of(new Transition(Transition.Kind.RESOLVED, rule.id(), taskId, now, List.of(), j.evidence(),
                j.summary()));
    }

    private Transition transition(Transition.Kind kind, Judgement j, Instant now) {
        return new Transition(kind, rule.id(), taskId, now, j.badAgents(), j.evidence(), j.summary());
    }
}
