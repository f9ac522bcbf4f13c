package dev.vantage.probe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's scheduler in virtual time, through its public API: every run's start is exact, so the tests can
 * assert exact instants. It lives here, beside {@link ManualClock}, because the engine's own tests cannot depend on
 * the test kit (which depends on the engine).
 */
class SchedulerTest {
    private static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

    private ManualClock clock;
    private final Map<String, List<Instant>> starts = new ConcurrentHashMap<>();
    private final List<CompletableFuture<ProbeResult>> pending = new CopyOnWriteArrayList<>();
    private ProbeEngine engine;

    @BeforeEach
    void setUp() {
        clock = new ManualClock(ORIGIN);
        ProbeProvider recording = provider("fake", ctx -> {
            starts.computeIfAbsent(ctx.taskId(), k -> new CopyOnWriteArrayList<>()).add(ctx.startedAt());
            return CompletableFuture.completedFuture(ctx.newResult().build());
        });
        ProbeProvider hanging = provider("hang", ctx -> {
            starts.computeIfAbsent(ctx.taskId(), k -> new CopyOnWriteArrayList<>()).add(ctx.startedAt());
            CompletableFuture<ProbeResult> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        engine = ProbeEngine.builder().discoverProviders(false).addProvider(recording).addProvider(hanging).clock(clock).build();
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    /** A provider of {@code type} whose attempts do what {@code attempt} says. */
    private static ProbeProvider provider(String type, Function<ProbeContext, CompletionStage<ProbeResult>> attempt) {
        return new ProbeProvider() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public ProbeDescriptor describe() {
                return ProbeDescriptor.builder(type).build();
            }

            @Override
            public Probe create(ProbeConfig config) {
                return attempt::apply;
            }
        };
    }

    private static TaskSpec task(String id, Duration interval) {
        return TaskSpec.builder("fake", "x").id(id).interval(interval).timeout(Duration.ofSeconds(1)).build();
    }

    /**
     * Advances in steps, letting the attempts each step started finish before the next (virtual time would
     * otherwise outrun the real threads they run on, and a run would find its predecessor still in flight).
     */
    private void advance(Duration total, Duration step, int expectedRunsAfter) {
        for (Duration done = Duration.ZERO; done.compareTo(total) < 0; done = done.plus(step)) {
            clock.advance(step);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> engine.stats().inFlight() == 0);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> starts.values().stream().mapToInt(List::size).sum() >= expectedRunsAfter);
    }

    @Test
    void runsAtAFixedRateOnSlotsThatDoNotDrift() {
        engine.schedule(task("a", Duration.ofSeconds(10)));
        advance(Duration.ofSeconds(100), Duration.ofSeconds(1), 10);
        List<Instant> a = starts.get("a");
        assertThat(a).hasSize(10);
        for (int i = 1; i < a.size(); i++) {
            assertThat(Duration.between(a.get(i - 1), a.get(i))).isEqualTo(Duration.ofSeconds(10));
        }
        // the phase is a pure function of the task id: a restart lands on the same slots of the wall clock
        long phase = Duration.between(ORIGIN, a.get(0)).toNanos() % 10_000_000_000L;
        engine.unschedule("a");
        starts.clear();
        engine.schedule(task("a", Duration.ofSeconds(10)));
        advance(Duration.ofSeconds(10), Duration.ofSeconds(1), 1);
        assertThat(Duration.between(ORIGIN, starts.get("a").get(0)).toNanos() % 10_000_000_000L).isEqualTo(phase);
        assertThat(engine.stats().lagMax()).isZero();
    }

    @Test
    void tenThousandTasksWithOneIntervalAreSpreadAcrossIt() {
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            engine.schedule(task("task-" + i, Duration.ofSeconds(60)));
        }
        advance(Duration.ofSeconds(60), Duration.ofSeconds(1), n);
        Map<Long, Long> perSecond = starts.values().stream().map(l -> l.get(0))
                .collect(Collectors.groupingBy(t -> Duration.between(ORIGIN, t).toSeconds(), Collectors.counting()));
        // ~167 per second if uniform; a herd would put thousands into one second
        assertThat(perSecond).hasSize(60);
        assertThat(perSecond.values()).allMatch(c -> c > 100 && c < 250);
    }

    @Test
    void jitterDelaysEachRunWithinBoundsWithoutAccumulating() {
        engine.schedule(TaskSpec.builder("fake", "x").id("j").interval(Duration.ofSeconds(10))
                .jitter(Duration.ofSeconds(2)).timeout(Duration.ofSeconds(1)).build());
        advance(Duration.ofSeconds(1000), Duration.ofSeconds(1), 99);
        List<Instant> j = starts.get("j");
        assertThat(j).hasSizeBetween(99, 101);
        long period = 10_000_000_000L;
        List<Long> residues = new ArrayList<>();
        for (Instant t : j) {
            residues.add(Math.floorMod(Duration.between(ORIGIN, t).toNanos(), period));
        }
        // the residues must lie on an arc of the 10 s circle shorter than the 2 s jitter: the runs stay within
        // their slot's window for 100 periods instead of drifting; the arc is the circle minus its largest gap
        List<Long> sorted = residues.stream().sorted().toList();
        long largestGap = sorted.get(0) + period - sorted.get(sorted.size() - 1);
        for (int i = 1; i < sorted.size(); i++) {
            largestGap = Math.max(largestGap, sorted.get(i) - sorted.get(i - 1));
        }
        long arc = period - largestGap;
        assertThat(arc).isLessThan(2_000_000_000L).isGreaterThan(1_500_000_000L);
        assertThat(residues.stream().distinct().count()).as("jitter varies").isGreaterThan(90);
    }

    @Test
    void tasksCanBeChangedAndRemovedWhileRunning() {
        engine.schedule(task("c", Duration.ofSeconds(10)));
        advance(Duration.ofSeconds(30), Duration.ofSeconds(1), 3);
        engine.schedule(task("c", Duration.ofSeconds(5)));
        assertThat(engine.scheduledTasks()).singleElement().extracting(TaskSpec::interval).isEqualTo(Duration.ofSeconds(5));
        int before = starts.get("c").size();
        advance(Duration.ofSeconds(30), Duration.ofSeconds(1), before + 6);
        assertThat(starts.get("c").size() - before).isEqualTo(6);
        engine.schedule(task("c", Duration.ofSeconds(5)).toBuilder().enabled(false).build());
        int afterDisable = starts.get("c").size();
        clock.advance(Duration.ofSeconds(30));
        assertThat(starts.get("c")).hasSize(afterDisable);
        assertThat(engine.unschedule("c")).isTrue();
        assertThat(engine.unschedule("c")).isFalse();
        assertThat(engine.scheduledTasks()).isEmpty();
        clock.advance(Duration.ofSeconds(30));
        assertThat(starts.get("c")).hasSize(afterDisable);
    }

    @Test
    void aRunDueWhileThePreviousIsStillInFlightIsSkippedAndCounted() {
        // attempts hang until their 1 s deadline; with up to 900 ms of jitter a run often falls due before the
        // previous attempt's deadline, and with maxInFlight 1 it must then be skipped, not started
        engine.schedule(TaskSpec.builder("hang", "x").id("h").interval(Duration.ofSeconds(1))
                .timeout(Duration.ofSeconds(1)).jitter(Duration.ofMillis(900)).maxInFlight(1).build());
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofMillis(50));
            assertThat(engine.stats().inFlight()).isLessThanOrEqualTo(1);
        }
        EngineStats stats = engine.stats();
        assertThat(stats.skippedInFlight()).isPositive();
        assertThat(stats.started() + stats.skippedInFlight()).isBetween(9L, 10L); // one slot per second for 10 s

        engine.schedule(TaskSpec.builder("hang", "x").id("h").interval(Duration.ofSeconds(1))
                .timeout(Duration.ofSeconds(1)).jitter(Duration.ofMillis(900)).maxInFlight(2).build());
        long skippedBefore = engine.stats().skippedInFlight();
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofMillis(50));
        }
        assertThat(engine.stats().skippedInFlight()).as("two in flight are allowed now").isEqualTo(skippedBefore);
    }

    @Test
    void deadlinesRunInVirtualTime() {
        engine.schedule(TaskSpec.builder("hang", "x").id("d").interval(Duration.ofSeconds(10))
                .timeout(Duration.ofSeconds(3)).build());
        while (engine.stats().inFlight() == 0) {
            clock.advance(Duration.ofMillis(100)); // the permit is taken on the firing thread, at the slot
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> starts.containsKey("d"));
        Instant started = starts.get("d").get(0);
        clock.advance(Duration.between(clock.instant(), started.plusMillis(2_999)));
        assertThat(engine.stats().completed()).isZero();
        clock.advance(Duration.ofMillis(1));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().completed() == 1);
        assertThat(engine.stats().inFlight()).isZero();
    }
}
