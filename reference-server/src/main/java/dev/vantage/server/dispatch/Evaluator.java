package dev.vantage.server.dispatch;

import dev.vantage.probe.spi.ProbeResult;
import java.util.List;

/**
 * The alert evaluator as the dispatch sees it. However many replicas run, one evaluator at a time judges the
 * results (all of them, whichever replica stored them), so rules spanning agents see every agent and each transition
 * is judged once. The dispatch says when this replica's evaluator becomes the active one and when it must stop.
 */
public interface Evaluator {

    /** This replica judges from now on; called before the first {@link #judge}. */
    void activate();

    /** This replica no longer judges (another may): drop what was judged, it would go stale. */
    void standby();

    /** Newly stored results of one agent. Must not block. */
    void judge(String agentId, List<ProbeResult> results);
}
