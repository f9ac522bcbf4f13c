package dev.vantage.probe.spi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the engine gives one attempt: its deadline and cancellation, name resolution, and the embedder's address
 * policy. Implemented by the engine; plugins only call it. Valid for one attempt; all methods are thread-safe.
 *
 * <p><b>Address policy.</b> Every address a probe is about to contact must go through
 * {@link #checkAddress(InetSocketAddress)} immediately before it connects or sends, including each HTTP redirect
 * hop and each address tried after a failure. The policy is the embedder's (an agent may allow private ranges, a
 * public service may not); applying it here keeps one policy for every plugin, third-party ones included.
 *
 * @since 0.1
 */
public interface ProbeContext {

    /** The id of the task this attempt belongs to ({@code ""} for an ad-hoc run). Does not block. */
    String taskId();

    /** When the attempt started, by the engine's clock. Does not block. */
    Instant startedAt();

    /**
     * The instant by which the probe should have its result, by the engine's clock. It lies a little before the
     * task's timeout (by a tenth of it, at most 100 ms), when the engine cuts the attempt off as {@code TIMEOUT}: a
     * probe that stops waiting at this deadline still reports its own, more detailed result (packets lost,
     * bytes received so far). Does not block.
     */
    Instant deadline();

    /**
     * Time left until {@link #deadline()}; zero (never negative) once it has passed. Use it for socket and read
     * timeouts. Does not block.
     */
    Duration remaining();

    /** True once {@link #deadline()} has passed or the engine has cancelled the attempt. Does not block. */
    boolean isCancelled();

    /**
     * Registers a callback that the engine runs once when the attempt is cancelled or times out (close sockets,
     * cancel futures). If the attempt is already cancelled the callback runs at once on the calling thread.
     * Callbacks run on an engine thread and must not block.
     */
    void onCancel(Runnable callback);

    /**
     * Resolves a host name (or parses a literal address) through the engine's resolver; a lookup still running at
     * {@link #deadline()} is given up. May block; call it from the attempt's thread or another thread that may block.
     *
     * @return the addresses in the resolver's order, never empty
     * @throws ProbeException of kind {@link ErrorKind#DNS} if the name does not resolve, or
     *                        {@link ErrorKind#TIMEOUT} if resolution outlives the deadline
     */
    List<InetAddress> resolve(String host) throws ProbeException;

    /**
     * Checks an address against the embedder's address policy just before contacting it. Does not block.
     *
     * @throws ProbeException of kind {@link ErrorKind#POLICY}, with a message naming the address and the rule
     *                        that refused it, if the probe must not contact it
     */
    void checkAddress(InetSocketAddress address) throws ProbeException;

    /**
     * A result builder already carrying this attempt's identity (task id, type, target) and start time; the probe
     * adds its status, phases, measurements and attributes. Each call returns a new builder. Does not block.
     */
    ProbeResult.Builder newResult();
}
