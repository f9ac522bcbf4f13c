package dev.vantage.agent.spool;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import java.util.List;

/**
 * The engine sink that writes each exported batch to the {@link Spool} as one file, then tells the uplink there is
 * something to send. Runs on the engine's delivery thread for this sink.
 *
 * <p>Results without a task id are not written: the server could not attribute them (they come from the agent's own
 * start-up checks, run through the same engine).
 */
public final class SpoolSink implements ResultSink {
    private final Spool spool;
    private final Runnable onWritten;

    /** @param onWritten called after each batch is on disk; must not block */
    public SpoolSink(Spool spool, Runnable onWritten) {
        this.spool = spool;
        this.onWritten = onWritten;
    }

    @Override
    public String name() {
        return "spool";
    }

    @Override
    public void export(List<ProbeResult> batch) throws Exception {
        List<ProbeResult> attributable = batch.stream().filter(r -> !r.taskId().isEmpty()).toList();
        if (!attributable.isEmpty()) {
            spool.append(attributable);
            onWritten.run();
        }
    }
}
