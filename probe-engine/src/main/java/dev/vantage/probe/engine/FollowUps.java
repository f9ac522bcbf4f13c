package dev.vantage.probe.engine;

import dev.vantage.probe.spi.ProbeResult;
import java.util.List;

/**
 * Names the probes to run when an attempt fails, so that its result says more than "failed": an agent's automatic
 * diagnosis is a traceroute and a DNS lookup of the target. The engine stays ignorant of what they are: it runs
 * the specs it is given once each (within their own timeouts, under the engine's concurrency limit, no sink sees
 * them), attaches their results to the failed one as {@link ProbeResult#followUps()}, and only then delivers it.
 *
 * <p>The failed attempt has already released its slot, so follow-ups never delay the task's next run; they delay
 * that one result's delivery by at most the longest follow-up timeout. Follow-ups of follow-ups are never asked for.
 *
 * <p>Called on the failed attempt's virtual thread, once per failed attempt (status other than {@code SUCCESS},
 * cancellation excepted); must be quick and must not block. An exception counts as "no follow-ups".
 */
@FunctionalInterface
public interface FollowUps {

    /** No follow-ups, ever: the default. */
    FollowUps NONE = (task, failed) -> List.of();

    /**
     * @param task   the spec of the attempt that failed
     * @param failed its result, complete with assertions and labels
     * @return the probes to run, each a spec without interval; empty for none. An invalid spec yields an
     *         {@code ERROR}/{@code CONFIG} follow-up result naming the problems
     */
    List<TaskSpec> onFailure(TaskSpec task, ProbeResult failed);
}
