package dev.vantage.probe.spi;

/**
 * Creates probes of one type. Implementations are discovered with {@link java.util.ServiceLoader} (module
 * {@code provides} or {@code META-INF/services}) and therefore need a public no-argument constructor, or may be
 * registered with the engine explicitly.
 *
 * <p><b>Lifecycle.</b> The engine creates one provider instance per engine, calls {@link #describe()} and
 * {@link #create(ProbeConfig)} any number of times, {@link #warmUp()} at most once before the first attempt, and {@link #close()} once when the engine closes. A provider
 * may hold resources shared by all of its probes (for example one ICMP socket for every target).
 *
 * <p><b>Threads.</b> All methods may be called concurrently from any thread and must be thread-safe.
 *
 * @since 0.1
 */
public interface ProbeProvider extends AutoCloseable {

    /**
     * The probe type id this provider serves: lower case letters, digits and {@code -}, starting with a letter
     * ({@code icmp}, {@code tcp}, {@code http}, {@code my-dns}). Task specs name it in their {@code type} field.
     * Must be constant for the life of the provider. Called on any thread; must not block.
     */
    String type();

    /**
     * Describes this probe type: its parameters with types, defaults and bounds, so that servers can validate
     * task specs and user interfaces can draw a form for a plugin they have never seen. The engine validates
     * every configuration against these parameters (unknown keys, types, bounds, required) before calling
     * {@link #create(ProbeConfig)}. Called on any thread; must not block; should return the same value each time.
     */
    ProbeDescriptor describe();

    /**
     * Creates a probe for one target. The engine has already checked the parameters against
     * {@link #describe()} and filled in defaults; the provider checks what only it can know (the target's form,
     * combinations of parameters) and reports <em>every</em> problem at once.
     *
     * <p>Called on any thread when a task is added or changed, never per attempt. May do light work (parse,
     * compile patterns) but must not do network I/O.
     *
     * @throws InvalidConfigException naming each offending key ({@code target} or a parameter name) and the reason
     */
    Probe create(ProbeConfig config) throws InvalidConfigException;

    /**
     * Prepares what this provider's attempts share (event loops, sockets, the classes of the hot path), so that
     * the first attempt measures the target and not the JVM starting up: a cold HTTP client spends hundreds of
     * milliseconds loading classes, which would otherwise show up as the first result's {@code dns} phase, or
     * as a timeout on a busy machine.
     *
     * <p>The engine calls it at most once per provider, on a virtual thread of its own, when the first task of
     * this type is scheduled or run (never when a task is only validated). Attempts of this type wait for it,
     * for a bounded time, before their clock starts. May block; must not contact anything beyond the local
     * host. An exception is logged and otherwise ignored: attempts then pay the cost themselves. The default
     * does nothing.
     *
     * @throws Exception if the warm-up failed (logged with its cause)
     * @since 0.1
     */
    default void warmUp() throws Exception {
    }

    /**
     * Releases resources shared by this provider's probes. Called once, after every probe of this provider has
     * been closed. The default does nothing.
     */
    @Override
    default void close() {
    }
}
