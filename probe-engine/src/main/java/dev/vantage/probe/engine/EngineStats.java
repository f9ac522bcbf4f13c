package dev.vantage.probe.engine;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of what the engine is doing, for health pages and tests; the same figures are published as
 * Micrometer meters ({@code vantage.*}).
 *
 * @param scheduledTasks   tasks on a schedule
 * @param inFlight         attempts holding a concurrency permit
 * @param started          attempts started since the engine was built
 * @param completed        attempts completed (every status)
 * @param skippedInFlight  runs skipped because the task already had {@code maxInFlight} attempts running
 * @param missedSlots      slots skipped because the engine fell behind
 * @param lagP99           99th percentile of scheduler lag (how late runs started)
 * @param lagMax           the largest scheduler lag seen
 * @param sinks            per-sink delivery figures
 */
public record EngineStats(int scheduledTasks, int inFlight, long started, long completed, long skippedInFlight,
                          long missedSlots, Duration lagP99, Duration lagMax, List<SinkStats> sinks) {

    /**
     * @param name          the sink's name
     * @param queued        results waiting in its queue
     * @param delivered     results exported
     * @param dropped       results dropped because its queue was full
     * @param failedBatches batches whose export threw
     */
    public record SinkStats(String name, int queued, long delivered, long dropped, long failedBatches) {
    }
}
