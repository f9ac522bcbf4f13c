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
        Series s = series.get(key);
        if (s == null) {
            s = new Series(SeriesJudge.of(rule.condition()));
            series.put(key, s);
        }
        s.judge.add(r, now);
        s.lastSeen = now;
        s.lastResultId = r.id();
        dropStale(now);
        return step(verdict(now), now);
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
        if (!dropStale(now) && settled()) {
            return Optional.empty(); // what the last result made of it still holds
        }
        return step(verdict(now), now);
    }

    /**
     * Whether time alone cannot change this alert while its agents stay: a condition without a window judges only
     * the results it was given, and neither OK nor FIRING without reminders has a timer. (The last verdict was then
     * not bad in OK, nor good in FIRING, or the alert would have moved on.)
     */
    private boolean settled() {
        return rule.condition().window().isZero()
                && (state == State.OK || (state == State.FIRING && rule.repeatEvery() == null));
    }

    /** Forgets agents silent for {@code staleAfter}; true if there were any. */
    private boolean dropStale(Instant now) {
        Instant limit = now.minus(staleAfter);
        boolean dropped = false;
        for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
            if (it.next().lastSeen.isBefore(limit)) {
                it.remove();
                dropped = true;
            }
        }
        return dropped;
    }

    /** What people are told of a verdict. */
    private record Judgement(List<String> badAgents, List<String> evidence, Summary summary) {
    }

    /** The verdict across the series: for a per-agent scope, bad when enough agents are. Judged on every result. */
    private Verdict verdict(Instant now) {
        if (series.isEmpty()) {
            return Verdict.UNKNOWN;
        }
        if (rule.scope() instanceof Scope.Merged) {
            return series.get(ALL).judge.verdict(now);
        }
        int bad = 0;
        int unknown = 0;
        for (Series s : series.values()) {
            Verdict v = s.judge.verdict(now);
            bad += v == Verdict.BAD ? 1 : 0;
            unknown += v == Verdict.UNKNOWN ? 1 : 0;
        }
        return verdict(bad, unknown, series.size(), (Scope.PerAgent) rule.scope());
    }

    private static Verdict verdict(int bad, int unknown, int total, Scope.PerAgent quorum) {
        if (reaches(bad, total, quorum)) {
            return Verdict.BAD;
        }
        // good if even every undecided agent turning bad would not reach the quorum
        return reaches(bad + unknown, total, quorum) ? Verdict.UNKNOWN : Verdict.GOOD;
    }

    /**
     * What people are told of the verdict at {@code now} (the one {@link #verdict} gave at the same instant): the bad
     * agents, the evidence and a summary. Made only for a transition.
     */
    private Judgement describe(Instant now) {
        if (series.isEmpty()) {
            return new Judgement(List.of(), List.of(), Summary.of("results.none"));
        }
        if (rule.scope() instanceof Scope.Merged) {
            Series s = series.get(ALL);
            s.judge.verdict(now); // brings the summary to now
            return new Judgement(List.of(), List.of(s.lastResultId), s.judge.summary());
        }
        Scope.PerAgent quorum = (Scope.PerAgent) rule.scope();
        List<String> bad = new ArrayList<>();
        List<String> evidence = new ArrayList<>();
        Summary firstBadSummary = null;
        Summary anySummary = null;
        for (Map.Entry<String, Series> e : series.entrySet()) {
            Verdict v = e.getValue().judge.verdict(now);
            anySummary = anySummary == null ? e.getValue().judge.summary() : anySummary;
            if (v == Verdict.BAD) {
                bad.add(e.getKey());
                evidence.add(e.getValue().lastResultId);
                firstBadSummary = firstBadSummary == null ? e.getValue().judge.summary() : firstBadSummary;
            }
        }
        int total = series.size();
        Summary rule = quorum.minPercent() > 0 ? Summary.of("quorum.rule.percent", quorum.minAgents(), quorum.minPercent())
                : Summary.of("quorum.rule", quorum.minAgents());
        Summary summary = Summary.of("quorum", bad.size(), total, rule,
                firstBadSummary != null ? Summary.of("agent", bad.get(0), firstBadSummary) : anySummary);
        return new Judgement(bad, evidence, summary);
    }

    private static boolean reaches(int bad, int total, Scope.PerAgent quorum) {
        return bad >= quorum.minAgents() && bad * 100.0 >= quorum.minPercent() * total;
    }

    private Optional<Transition> step(Verdict v, Instant now) {
        switch (state) {
            case OK -> {
                if (v == Verdict.BAD) {
                    since = now;
                    state = State.PENDING;
                    return rule.pendingFor().isZero() ? fire(now) : Optional.empty();
                }
            }
            case PENDING -> {
                if (v == Verdict.GOOD) {
                    state = State.OK;
                } else if (v == Verdict.BAD && !now.isBefore(since.plus(rule.pendingFor()))) {
                    return fire(now);
                }
            }
            case FIRING -> {
                if (v == Verdict.GOOD) {
                    since = now;
                    state = State.RESOLVING;
                    return rule.resolveAfter().isZero() ? resolve(now) : Optional.empty();
                }
                if (rule.repeatEvery() != null && !now.isBefore(lastNotified.plus(rule.repeatEvery()))) {
                    lastNotified = now;
                    return Optional.of(transition(Transition.Kind.REMINDER, now));
                }
            }
            case RESOLVING -> {
                if (v == Verdict.BAD) {
                    state = State.FIRING; // flapping: the same incident goes on, nobody is told again
                } else if (v == Verdict.GOOD && !now.isBefore(since.plus(rule.resolveAfter()))) {
                    return resolve(now);
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Transition> fire(Instant now) {
        state = State.FIRING;
        lastNotified = now;
        return Optional.of(transition(Transition.Kind.FIRING, now));
    }

    private Optional<Transition> resolve(Instant now) {
        state = State.OK;
        lastNotified = now;
        Judgement j = describe(now);
        return Optional.of(new Transition(Transition.Kind.RESOLVED, rule.id(), taskId, now, List.of(), j.evidence(),
                j.summary()));
    }

    private Transition transition(Transition.Kind kind, Instant now) {
        Judgement j = describe(now);
        return new Transition(kind, rule.id(), taskId, now, j.badAgents(), j.evidence(), j.summary());
    }
}
