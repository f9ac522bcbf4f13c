package dev.vantage.probe.engine;

import dev.vantage.probe.engine.internal.Cidr;
import dev.vantage.probe.engine.internal.EngineTexts;
import dev.vantage.probe.engine.internal.TargetHost;
import dev.vantage.probe.engine.internal.CompiledAssertion;
import dev.vantage.probe.engine.internal.Parameters;
import dev.vantage.probe.engine.internal.PreparedTask;
import dev.vantage.probe.engine.internal.Runner;
import dev.vantage.probe.engine.internal.Scheduler;
import dev.vantage.probe.engine.internal.SinkDispatcher;
import dev.vantage.probe.engine.internal.TimerQueue;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probe engine: runs probes of any installed type once or on a schedule, within deadlines and concurrency
 * limits, checks assertions, and delivers every result to the configured sinks.
 *
 * <pre>{@code
 * try (ProbeEngine engine = ProbeEngine.builder().addSink(new InMemorySink()).build()) {
 *     ProbeResult r = engine.runOnce(TaskSpec.builder("tcp", "127.0.0.1:22").build()).toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Probes run on virtual threads; one timer thread starts scheduled runs and enforces deadlines
 * (none with a clock that {@linkplain EngineClock#drive drives} them); each sink has its own delivery thread. A
 * probe that ignores its deadline is cut off as {@code TIMEOUT} and stops counting against the concurrency limit;
 * a probe that throws yields {@code ERROR}/{@code INTERNAL}; nothing a probe does stops the engine.
 */
public final class ProbeEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeEngine.class);
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,62}");
    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_INTERVAL = Duration.ofDays(1);

    private final Map<String, ProbeProvider> providers;
    /** Each provider's warm-up, started by its first scheduled or run task. */
    private final Map<String, CompletableFuture<Void>> warmUps = new ConcurrentHashMap<>();
    private final EngineClock clock;
    private final TimerQueue timers = new TimerQueue();
    private final List<SinkDispatcher> sinks;
    private final Runner runner;
    private final Scheduler scheduler;
    private final Thread timerThread;
    private final FollowUps followUps;
    private volatile boolean closed;

    private ProbeEngine(Builder b) {
        this.providers = Map.copyOf(b.collectProviders());
        this.clock = b.clock;
        this.followUps = b.followUps;
        List<SinkDispatcher> dispatchers = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ResultSink sink : b.sinks) {
            // meters and threads are tagged by name, so two sinks must not share one
            String name = sink.name();
            for (int i = 2; !names.add(name); i++) {
                name = sink.name() + "-" + i;
            }
            dispatchers.add(new SinkDispatcher(sink, name, b.sinkQueueCapacity, b.sinkBatchSize,
                    b.sinkLingerNanos));
        }
        this.sinks = List.copyOf(dispatchers);
        for (SinkDispatcher s : sinks) {
            s.bindTo(b.registry);
        }
        this.runner = new Runner(clock, timers, b.resolver, b.policy, b.maxConcurrency, b.labels, sinks, b.registry,
                this::runFollowUps);
        b.registry.gauge("vantage.probe.inflight", runner, Runner::inFlight);
        boolean drivenByClock = clock.drive(timers);
        this.scheduler = new Scheduler(clock, timers, runner, b.registry, drivenByClock);
        if (drivenByClock) {
            this.timerThread = null;
        } else {
            this.timerThread = Thread.ofPlatform().daemon().name("vantage-timer").unstarted(this::timerLoop);
            timerThread.start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private void timerLoop() {
        while (!closed) {
            try {
                timers.runDue(timers.awaitDue(clock::nanoTime));
                scheduler.launchDue();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("timer event failed", e); // keep the timer alive whatever one event does
            }
        }
    }

    /** The installed probe types with their parameter descriptions, by type id. */
    public Map<String, ProbeDescriptor> descriptors() {
        Map<String, ProbeDescriptor> out = new LinkedHashMap<>();
        providers.keySet().stream().sorted().forEach(t -> out.put(t, providers.get(t).describe()));
        return out;
    }

    /**
     * Checks a task spec without running it: fields, parameters against the type's description, assertions, and
     * the plugin's own checks. Returns every problem found, each naming its JSON path; empty if the spec is valid.
     */
    public List<ConfigProblem> validate(TaskSpec spec) {
        try {
            PreparedTask t = prepare(spec, spec.scheduled(), false);
            t.probe().close();
            return List.of();
        } catch (InvalidTaskException e) {
            return e.problems();
        }
    }

    /**
     * The reason of {@code problem} (one of {@link #validate}'s) in {@code locale}: the engine's own messages and
     * those the plugin of {@code type} translates in its descriptor ({@link ProbeDescriptor#problemText}); the
     * English {@link ConfigProblem#reason()} where there is no translation.
     *
     * @param type the task's probe type; {@code null} or an unknown type: the engine's messages only
     * @since 0.1
     */
    public String reason(ConfigProblem problem, String type, Locale locale) {
        ProbeProvider provider = type == null ? null : providers.get(type);
        if (problem.code() == null || provider == null || EngineTexts.pattern(problem.code(), locale).isPresent()) {
            return engineReason(problem, locale);
        }
        return provider.describe().problemText(problem.code(), locale)
                .map(pattern -> format(pattern, problem, locale))
                .orElse(problem.reason());
    }

    /**
     * The reason of one of the engine's own problems in {@code locale}, as {@link #reason(ConfigProblem, String,
     * Locale)} tells it with no type: for a caller with no engine at hand, such as one that checks an address range
     * or an {@link AddressPolicy} of its own (its {@link AddressPolicy#refusal refusals} have the engine's codes).
     *
     * @since 0.1
     */
    public static String engineReason(ConfigProblem problem, Locale locale) {
        return problem.code() == null ? problem.reason() : EngineTexts.pattern(problem.code(), locale)
                .map(pattern -> new MessageFormat(pattern, locale)
                        .format(EngineTexts.args(problem.code(), problem.args(), locale)))
                .orElse(problem.reason());
    }

    private static String format(String pattern, ConfigProblem problem, Locale locale) {
        return new MessageFormat(pattern, locale).format(problem.args().toArray());
    }

    /**
     * Runs one attempt now, whether or not the spec has an interval. The result is also delivered to the sinks.
     *
     * @throws InvalidTaskException if the spec is invalid (every problem listed)
     * @throws IllegalStateException if the engine is closed
     */
    public CompletionStage<ProbeResult> runOnce(TaskSpec spec) {
        checkOpen();
        PreparedTask task = prepare(spec, false, true);
        CompletableFuture<ProbeResult> result = runner.start(task, () -> { });
        return result.whenComplete((r, e) -> task.probe().close());
    }

    /**
     * Adds a scheduled task, or replaces the task with the same id (its running attempts finish; the new spec
     * takes the next slot). A disabled task is kept but not run.
     *
     * @throws InvalidTaskException if the spec is invalid or has no interval
     */
    public void schedule(TaskSpec spec) {
        checkOpen();
        if (!spec.scheduled()) {
            throw new InvalidTaskException(List.of(EngineTexts.problem("interval", "engine.interval.required")));
        }
        scheduler.put(prepare(spec, true, true));
    }

    /** Removes a scheduled task; its running attempts finish. Returns false if there was no such task. */
    public boolean unschedule(String taskId) {
        return scheduler.remove(taskId);
    }

    /**
     * Whether a task of this id is scheduled now (disabled ones included). Thread-safe and cheap, for sinks that
     * keep per-task state.
     *
     * @since 0.1
     */
    public boolean isScheduled(String taskId) {
        return scheduler.contains(taskId);
    }

    /** The scheduled tasks' specs. */
    public Collection<TaskSpec> scheduledTasks() {
        return scheduler.specs();
    }

    /** The address policy in force. */
    public AddressPolicy addressPolicy() {
        return runner.policy();
    }

    /**
     * Replaces the address policy at run time, e.g. when an agent's server sends a new one. It takes effect for the
     * next address check: attempts in flight check any further address (a redirect hop, the next resolved address)
     * against the new policy; an address already checked is not re-checked. Thread-safe.
     */
    public void addressPolicy(AddressPolicy policy) {
        runner.policy(Objects.requireNonNull(policy, "policy"));
    }

    public EngineStats stats() {
        List<EngineStats.SinkStats> sinkStats = sinks.stream()
                .map(SinkDispatcher::stats)
                .toList();
        double p99 = 0;
        for (ValueAtPercentile v : scheduler.lagTimer().takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.99) {
                p99 = v.value(TimeUnit.NANOSECONDS);
            }
        }
        return new EngineStats(scheduler.size(), runner.inFlight(), runner.started(), runner.completed(),
                scheduler.skippedInFlight(), scheduler.missedSlots(), Duration.ofNanos((long) p99),
                Duration.ofNanos(scheduler.maxLagNanos()), sinkStats);
    }

    /**
     * Stops scheduling, cancels attempts in flight (they complete as {@code CANCELLED}), delivers what the sinks
     * have queued, and closes probes, sinks and providers.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timerThread != null) {
            timerThread.interrupt();
        }
        scheduler.clear();
        runner.cancelAll("engine closed");
        for (SinkDispatcher s : sinks) {
            s.close(5_000);
        }
        for (ProbeProvider p : providers.values()) {
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.warn("closing provider {} failed", p.type(), e);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    private PreparedTask prepare(TaskSpec spec, boolean requireId, boolean toRun) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (requireId || !spec.id().isEmpty()) {
            if (!ID.matcher(spec.id()).matches()) {
                problems.add(EngineTexts.problem("id", "engine.id"));
            }
        }
        ProbeProvider provider = providers.get(spec.type());
        if (spec.type().isEmpty()) {
            problems.add(EngineTexts.problem("type", "engine.type.required", installed()));
        } else if (provider == null) {
            // no guess at a jar's name: a wrong guess sends people looking for a module that does not exist
            problems.add(EngineTexts.problem("type", "engine.type.unknown", spec.type(), installed()));
        }
        if (spec.target().isBlank()) {
            problems.add(EngineTexts.problem("target", "engine.required"));
        } else if (spec.target().length() > 2048) {
            problems.add(EngineTexts.problem("target", "engine.maxLength", 2048));
        } else if (Cidr.ambiguousHost(TargetHost.of(spec.target()))) {
            problems.add(EngineTexts.problem("target", "engine.target.ambiguous", TargetHost.of(spec.target())));
        }
        Duration interval = spec.interval();
        if (interval != null && (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0)) {
            problems.add(EngineTexts.problem("interval", "engine.interval.range", Durations.format(interval)));
        }
        if (spec.timeout().isNegative() || spec.timeout().isZero()) {
            problems.add(EngineTexts.problem("timeout", "engine.positive"));
        } else if (interval != null && spec.timeout().compareTo(interval) > 0) {
            problems.add(EngineTexts.problem("timeout", "engine.timeout.interval", Durations.format(interval)));
        } else if (spec.timeout().compareTo(Duration.ofHours(1)) > 0) {
            problems.add(EngineTexts.problem("timeout", "engine.timeout.max"));
        }
        if (spec.jitter().isNegative()) {
            problems.add(EngineTexts.problem("jitter", "engine.notNegative"));
        } else if (interval != null && spec.jitter().compareTo(interval) >= 0) {
            problems.add(EngineTexts.problem("jitter", "engine.jitter.interval", Durations.format(interval)));
        }
        if (spec.maxInFlight() < 1 || spec.maxInFlight() > 1000) {
            problems.add(EngineTexts.problem("maxInFlight", "engine.maxInFlight"));
        }
        spec.labels().forEach((k, v) -> {
            if (!LABEL.matcher(k).matches()) {
                problems.add(EngineTexts.problem("labels." + k, "engine.label.name"));
            } else if (v == null || v.length() > 256) {
                problems.add(EngineTexts.problem("labels." + k, "engine.label.value"));
            }
        });
        List<CompiledAssertion> assertions = new ArrayList<>();
        for (int i = 0; i < spec.assertions().size(); i++) {
            CompiledAssertion a = CompiledAssertion.compile(spec.assertions().get(i), "assertions[" + i + "]", problems);
            if (a != null) {
                assertions.add(a);
            }
        }
        if (provider == null) {
            throw new InvalidTaskException(problems);
        }
        List<String> badParameters = new ArrayList<>();
        Map<String, Object> typed = Parameters.convert(provider.describe(), spec.params(), "params.", problems,
                badParameters);
        // the plugin's own checks (target form, combinations) run even when a parameter is wrong, so the user
        // sees every problem at once; only a missing required parameter leaves nothing sensible to check
        boolean checkable = provider.describe().parameters().stream()
                .noneMatch(p -> p.required() && !typed.containsKey(p.name()));
        ProbeConfig.Builder config = ProbeConfig.builder().taskId(spec.id()).target(spec.target()).timeout(spec.timeout());
        typed.forEach(config::value);
        Probe probe = null;
        if (checkable) {
            try {
                probe = provider.create(config.build());
            } catch (InvalidConfigException e) {
                for (ConfigProblem p : e.problems()) {
                    String field = p.field().equals("target") || p.field().contains(".") ? p.field() : "params." + p.field();
                    boolean refused = badParameters.contains(field)
                            || problems.stream().anyMatch(q -> q.field().equals(field));
                    if (!refused) { // already reported by the engine in its own words: one reason a field
                        problems.add(p.withField(field));
                    }
                }
            } catch (RuntimeException e) {
                if (problems.isEmpty()) {
                    LOG.warn("provider {} failed to create a probe", spec.type(), e);
                    problems.add(ConfigProblem.of("type", "plugin '" + spec.type() + "' failed to create a probe: " + e));
                } // else: the plugin tripped over a value the engine already reported
            }
        }
        if (!problems.isEmpty()) {
            if (probe != null) {
                probe.close();
            }
            throw new InvalidTaskException(problems);
        }
        Objects.requireNonNull(probe, () -> "provider " + spec.type() + " returned no probe");
        return new PreparedTask(spec, probe, List.copyOf(assertions), toRun ? warmUp(provider) : WARM, false);
    }

    /** Asks the {@link FollowUps} hook about a failed attempt and runs what it names; null for nothing to run. */
    private CompletableFuture<List<ProbeResult>> runFollowUps(TaskSpec task, ProbeResult failed) {
        if (closed || followUps == FollowUps.NONE) {
            return null;
        }
        List<TaskSpec> specs;
        try {
            specs = followUps.onFailure(task, failed);
        } catch (RuntimeException e) {
            LOG.warn("follow-ups of task {} failed to be named", task.id(), e);
            return null;
        }
        if (specs == null || specs.isEmpty()) {
            return null;
        }
        List<CompletableFuture<ProbeResult>> runs = new ArrayList<>(specs.size());
        for (TaskSpec spec : specs) {
            try {
                PreparedTask p = prepare(spec, false, true);
                PreparedTask followUp = new PreparedTask(p.spec(), p.probe(), p.assertions(), p.ready(), true);
                runs.add(runner.start(followUp, () -> { }).whenComplete((r, e) -> p.probe().close()));
            } catch (InvalidTaskException e) {
                runs.add(CompletableFuture.completedFuture(ProbeResult.builder().taskId(spec.id()).type(spec.type())
                        .target(spec.target()).startedAt(clock.instant()).error(ErrorKind.CONFIG, "follow-up not run: "
                                + String.join("; ", e.problems().stream().map(ConfigProblem::toString).toList()))
                        .build()));
            }
        }
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new))
                .thenApply(v -> runs.stream().map(CompletableFuture::join).toList());
    }

    private static final CompletableFuture<Void> WARM = CompletableFuture.completedFuture(null);

    /** The provider's warm-up, started once on a virtual thread; already complete for providers without one. */
    private CompletableFuture<Void> warmUp(ProbeProvider provider) {
        return warmUps.computeIfAbsent(provider.type(), type -> {
            if (!overridesWarmUp(provider)) {
                return WARM; // no thread, and attempts start on the caller's thread (virtual time stays exact)
            }
            return CompletableFuture.runAsync(() -> {
                long t0 = System.nanoTime();
                try {
                    provider.warmUp();
                    LOG.debug("provider {} warmed up in {} ms", type, (System.nanoTime() - t0) / 1_000_000);
                } catch (Exception e) {
                    LOG.warn("provider {} failed to warm up; its first attempts pay the cost", type, e);
                }
            }, runnable -> Thread.ofVirtual().name("vantage-warm-up-" + type).start(runnable));
        });
    }

    private static boolean overridesWarmUp(ProbeProvider provider) {
        try {
            return provider.getClass().getMethod("warmUp").getDeclaringClass() != ProbeProvider.class;
        } catch (NoSuchMethodException e) {
            return false; // cannot happen: the interface declares it
        }
    }

    private String installed() {
        return providers.isEmpty() ? "none" : String.join(", ", providers.keySet().stream().sorted().toList());
    }

    /** Builds a {@link ProbeEngine}. */
    public static final class Builder {
        private final List<ProbeProvider> explicit = new ArrayList<>();
        private boolean discover = true;
        private ClassLoader classLoader;
        private ModuleLayer layer;
        private EngineClock clock = EngineClock.system();
        private NameResolver resolver = NameResolver.system();
        private AddressPolicy policy = AddressPolicy.allowAll();
        private int maxConcurrency = 10_000;
        private final List<ResultSink> sinks = new ArrayList<>();
        private int sinkQueueCapacity = 65_536;
        private int sinkBatchSize = 1_000;
        private long sinkLingerNanos = SinkDispatcher.DEFAULT_LINGER_NANOS;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private FollowUps followUps = FollowUps.NONE;

        private Builder() {
        }

        /**
         * Probes to run when an attempt fails, their results attached to it ({@link ProbeResult#followUps()});
         * none by default.
         */
        public Builder followUps(FollowUps followUps) {
            this.followUps = Objects.requireNonNull(followUps, "followUps");
            return this;
        }

        /** Registers a provider explicitly; it takes precedence over a discovered instance of the same class. */
        public Builder addProvider(ProbeProvider provider) {
            explicit.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /**
         * Adds the providers of a plugin jar (new instances for this engine). A type it shares with another provider
         * fails {@link #build()}, as two jars on the class path would.
         */
        public Builder addPluginJar(PluginJar jar) {
            explicit.addAll(Objects.requireNonNull(jar, "jar").newProviders());
            return this;
        }

        /** Whether to discover providers with {@link ServiceLoader} (default true). */
        public Builder discoverProviders(boolean discover) {
            this.discover = discover;
            return this;
        }

        /** Discovers providers visible to this class loader (class path and its modules) instead of the default. */
        public Builder discoverFrom(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** Discovers providers in this module layer (and its parents), for plugins loaded into their own layer. */
        public Builder discoverFrom(ModuleLayer layer) {
            this.layer = Objects.requireNonNull(layer, "layer");
            return this;
        }

        public Builder clock(EngineClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder resolver(NameResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** Which addresses probes may contact; the default allows all. */
        public Builder addressPolicy(AddressPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** How many attempts may run at once across all tasks (default 10,000); more wait for a permit. */
        public Builder maxConcurrency(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1");
            }
            this.maxConcurrency = max;
            return this;
        }

        public Builder addSink(ResultSink sink) {
            sinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /** Results each sink may have waiting before further ones are dropped and counted (default 65,536). */
        public Builder sinkQueueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("sinkQueueCapacity must be at least 1");
            }
            this.sinkQueueCapacity = capacity;
            return this;
        }

        /** The largest batch handed to a sink at once (default 1,000). */
        public Builder sinkBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("sinkBatchSize must be at least 1");
            }
            this.sinkBatchSize = size;
            return this;
        }

        /**
         * How long results may wait for more before a sink is handed a small batch (fewer than a quarter of
         * {@link #sinkBatchSize}); default 1 ms. Longer means fewer, larger batches, for a sink whose cost is per
         * batch (a file forced to disk, a frame, a commit), and up to that much more delay before it sees a result.
         */
        public Builder sinkLinger(Duration linger) {
            if (linger.isNegative()) {
                throw new IllegalArgumentException("sinkLinger must not be negative");
            }
            this.sinkLingerNanos = linger.toNanos();
            return this;
        }

        /** Where the engine's meters go; by default a private {@link SimpleMeterRegistry} that feeds {@code ProbeEngine.stats()}. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** A label added to every result, e.g. {@code agent} or {@code region}. */
        public Builder label(String name, String value) {
            labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @throws IllegalStateException if two providers of different classes claim one type, or a type id is malformed
         */
        public ProbeEngine build() {
            return new ProbeEngine(this);
        }

        private Map<String, ProbeProvider> collectProviders() {
            Map<String, ProbeProvider> byType = new LinkedHashMap<>();
            for (ProbeProvider p : explicit) {
                add(byType, p);
            }
            if (discover) {
                ServiceLoader<ProbeProvider> loader = layer != null ? ServiceLoader.load(layer, ProbeProvider.class)
                        : classLoader != null ? ServiceLoader.load(ProbeProvider.class, classLoader)
                        : ServiceLoader.load(ProbeProvider.class);
                for (ServiceLoader.Provider<ProbeProvider> sp : loader.stream().toList()) {
                    ProbeProvider existing = byType.values().stream()
                            .filter(p -> p.getClass() == sp.type()).findFirst().orElse(null);
                    if (existing == null) {
                        add(byType, sp.get());
                    }
                }
            }
            return byType;
        }

        private static void add(Map<String, ProbeProvider> byType, ProbeProvider p) {
            String type = p.type();
            if (type == null || !TYPE.matcher(type).matches()) {
                throw new IllegalStateException("provider " + p.getClass().getName() + " has a malformed type id '"
                        + type + "' (lower-case letters, digits and -, starting with a letter)");
            }
            ProbeProvider other = byType.putIfAbsent(type, p);
            if (other != null && other != p) {
                throw new IllegalStateException("probe type '" + type + "' is provided twice: by "
                        + other.getClass().getName() + " and by " + p.getClass().getName() + "; remove one of the jars");
            }
        }
    }
}
