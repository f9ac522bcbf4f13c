package dev.vantage.probe.spi;

import java.util.concurrent.CompletionStage;

/**
 * One configured probe: runs attempts against the target it was created for.
 *
 * <p><b>Threads and blocking.</b> The engine calls {@link #run(ProbeContext)} on a virtual thread, so an
 * implementation may simply block (socket I/O, {@code Thread.sleep}) and return an already completed stage; an
 * asynchronous implementation (Netty, a shared socket) may instead return a stage that completes later. Attempts of
 * the same probe may run concurrently when a task allows more than one attempt in flight.
 *
 * <p><b>Deadlines.</b> Each attempt should finish before {@link ProbeContext#deadline()}. The engine does not rely
 * on it: at the deadline it completes the attempt as {@link ProbeStatus#TIMEOUT} whatever the probe does, interrupts
 * the attempt's thread and runs the callbacks registered with {@link ProbeContext#onCancel(Runnable)}; a result
 * that arrives later is discarded.
 *
 * <p><b>Errors.</b> A probe reports failures as results (see {@link ProbeResult.Builder#error(ErrorKind, String)});
 * it may also throw or complete exceptionally with a {@link ProbeException}, which the engine turns into a result of
 * that kind. Any other exception becomes {@link ErrorKind#INTERNAL}. Nothing a probe does can stop the engine.
 *
 * @since 0.1
 */
public interface Probe extends AutoCloseable {

    /**
     * Runs one attempt. Build the result from {@link ProbeContext#newResult()}, which already carries the start
     * time and identity fields.
     *
     * @param context the attempt's deadline, cancellation, resolver and address policy; valid until the returned
     *                stage completes
     * @return the attempt's outcome; never {@code null}
     * @throws ProbeException a classified failure (equivalent to returning a result with that error)
     */
    CompletionStage<ProbeResult> run(ProbeContext context) throws ProbeException;

    /**
     * Releases this probe's resources when its task is removed or changed. No attempt is started afterwards;
     * attempts still in flight may finish. Called once, on any thread. The default does nothing.
     */
    @Override
    default void close() {
    }
}
