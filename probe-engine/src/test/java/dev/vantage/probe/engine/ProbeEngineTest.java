package dev.vantage.probe.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.engine.sink.InMemorySink;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One-shot runs in real time: deadlines, crash isolation, identity, labels, assertions, resolver and policy. */
class ProbeEngineTest {

    private static ProbeResult run(ProbeEngine engine, TaskSpec spec) {
        return engine.runOnce(spec).toCompletableFuture().join();
    }

    private static ProbeEngine engine(FakeProvider p) {
        return ProbeEngine.builder().discoverProviders(false).addProvider(p).build();
    }

    @Test
    void successfulRunCarriesIdentityLabelsAndPhases() {
        FakeProvider p = FakeProvider.succeeding();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(p).label("agent", "a1").build()) {
            ProbeResult r = run(engine, TaskSpec.builder("fake", "t1").id("task-1").label("region", "eu").build());
            assertThat(r.status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.error()).isNull();
            assertThat(r.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(r.taskId()).isEqualTo("task-1");
            assertThat(r.type()).isEqualTo("fake");
            assertThat(r.target()).isEqualTo("t1");
            assertThat(r.labels()).containsEntry("agent", "a1").containsEntry("region", "eu");
            assertThat(r.phases()).containsEntry("connect", Duration.ofNanos(1_500_000));
            assertThat(r.duration()).isPositive();
            ProbeConfig cfg = p.configs.get(0);
            assertThat(cfg.integer("count")).isEqualTo(3L);
            assertThat(cfg.duration("wait")).isEqualTo(Duration.ofMillis(5));
            assertThat(cfg.string("mode")).isEqualTo("a");
            assertThat(cfg.has("name")).isFalse();
        }
        assertThat(p.closed).as("providers are closed with the engine").isTrue();
    }

    @Test
    void aProvidersWarmUpRunsOnceBeforeTheFirstAttemptAndOutsideItsClock() {
        java.util.concurrent.atomic.AtomicInteger warmUps = new java.util.concurrent.atomic.AtomicInteger();
        FakeProvider p = new FakeProvider("cold", FakeProvider.SUCCEED) {
            @Override
            public void warmUp() {
                warmUps.incrementAndGet();
                try {
                    Thread.sleep(600); // a cold client's class loading, longer than the attempts' timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (ProbeEngine engine = engine(p)) {
            TaskSpec spec = TaskSpec.builder("cold", "t").timeout(Duration.ofMillis(300)).build();
            assertThat(engine.validate(spec)).isEmpty();
            assertThat(warmUps).as("validating a task does not warm the provider up").hasValue(0);
            long t0 = System.nanoTime();
            CompletableFuture<ProbeResult> first = engine.runOnce(spec).toCompletableFuture();
            CompletableFuture<ProbeResult> second = engine.runOnce(spec).toCompletableFuture();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("runOnce does not block on the warm-up")
                    .isLessThan(Duration.ofMillis(500));
            for (ProbeResult r : List.of(first.join(), second.join())) {
                assertThat(r.status()).as("the warm-up does not count against the deadline").isEqualTo(ProbeStatus.SUCCESS);
                assertThat(r.duration()).isLessThan(Duration.ofMillis(300));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("attempts waited for it")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(550));
            assertThat(run(engine, spec).status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(warmUps).hasValue(1);
        }
    }

    @Test
    void aFailingWarmUpIsIgnored() {
        FakeProvider p = new FakeProvider("broken", FakeProvider.SUCCEED) {
            @Override
            public void warmUp() {
                throw new IllegalStateException("cannot warm up here");
            }
        };
        try (ProbeEngine engine = engine(p)) {
            assertThat(run(engine, TaskSpec.builder("broken", "t").build()).status()).isEqualTo(ProbeStatus.SUCCESS);
        }
    }

    @Test
    void probeThatSleepsForeverIsCutOffAtItsDeadline() {
        CountDownLatch interrupted = new CountDownLatch(1);
        FakeProvider p = new FakeProvider("sleepy", (ctx, cfg) -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return CompletableFuture.completedFuture(ctx.newResult().build());
        });
        try (ProbeEngine engine = engine(p)) {
            long t0 = System.nanoTime();
            ProbeResult r = run(engine, TaskSpec.builder("sleepy", "x").timeout(Duration.ofMillis(200)).build());
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.status()).isEqualTo(ProbeStatus.TIMEOUT);
            assertThat(r.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
            assertThat(r.error().message()).contains("200ms");
            assertThat(r.duration()).isEqualTo(Duration.ofMillis(200));
            assertThat(took).isBetween(190L, 2_000L);
            assertThat(interrupted.await(2, TimeUnit.SECONDS)).as("the probe thread is interrupted").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void probeThatIgnoresInterruptsAndNeverCompletesIsStillCutOffAndCancelCallbacksRun() {
        CountDownLatch callback = new CountDownLatch(1);
        FakeProvider p = new FakeProvider("stuck", (ctx, cfg) -> {
            ctx.onCancel(callback::countDown);
            return new CompletableFuture<>(); // never completes
        });
        try (ProbeEngine engine = engine(p)) {
            ProbeResult r = run(engine, TaskSpec.builder("stuck", "x").timeout(Duration.ofMillis(100)).build());
            assertThat(r.status()).isEqualTo(ProbeStatus.TIMEOUT);
            assertThat(callback.await(2, TimeUnit.SECONDS)).isTrue();
            assertThat(p.contexts.get(0).isCancelled()).isTrue();
            // the engine keeps working and the permit came back
            assertThat(engine.stats().inFlight()).isZero();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void crashingProbesBecomeClassifiedResultsAndNeverStopTheEngine() {
        FakeProvider throwsRuntime = new FakeProvider("boom", (ctx, cfg) -> {
            throw new IllegalStateException("kaboom");
        });
        FakeProvider throwsProbe = new FakeProvider("refused", (ctx, cfg) -> {
            throw new ProbeException(ErrorKind.REFUSED, "connection refused");
        });
        FakeProvider returnsNull = new FakeProvider("nothing", (ctx, cfg) -> null);
        FakeProvider failsStage = new FakeProvider("failing", (ctx, cfg) ->
                CompletableFuture.failedFuture(new ProbeException(ErrorKind.TLS, "bad cert")));
        FakeProvider errorThrown = new FakeProvider("oom", (ctx, cfg) -> {
            throw new StackOverflowError("deep");
        });
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(throwsRuntime)
                .addProvider(throwsProbe).addProvider(returnsNull).addProvider(failsStage).addProvider(errorThrown)
                .addProvider(FakeProvider.succeeding()).build()) {
            ProbeResult r1 = run(engine, TaskSpec.builder("boom", "x").build());
            assertThat(r1.status()).isEqualTo(ProbeStatus.ERROR);
            assertThat(r1.error().kind()).isEqualTo(ErrorKind.INTERNAL);
            assertThat(r1.error().message()).contains("kaboom");
            ProbeResult r2 = run(engine, TaskSpec.builder("refused", "x").build());
            assertThat(r2.status()).isEqualTo(ProbeStatus.FAILURE);
            assertThat(r2.error().kind()).isEqualTo(ErrorKind.REFUSED);
            assertThat(run(engine, TaskSpec.builder("nothing", "x").build()).error().kind()).isEqualTo(ErrorKind.INTERNAL);
            assertThat(run(engine, TaskSpec.builder("failing", "x").build()).error().kind()).isEqualTo(ErrorKind.TLS);
            assertThat(run(engine, TaskSpec.builder("oom", "x").build()).error().kind()).isEqualTo(ErrorKind.INTERNAL);
            assertThat(run(engine, TaskSpec.builder("fake", "x").build()).status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(engine.stats().inFlight()).isZero();
        }
    }

    @Test
    void assertionsTurnSuccessIntoFailureAndSayWhatWasSeen() {
        try (ProbeEngine engine = engine(FakeProvider.succeeding())) {
            ProbeResult ok = run(engine, TaskSpec.builder("fake", "x")
                    .assertion(Assertion.of("phase.connect", Assertion.Op.LT, "2"))
                    .assertion(new Assertion("attribute.body", Assertion.Op.EQUALS, "ok", "/status"))
                    .assertion(Assertion.of("status", Assertion.Op.EQ, "SUCCESS")).build());
            assertThat(ok.status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(ok.assertions()).hasSize(3).allMatch(a -> a.passed());
            assertThat(ok.assertions().get(0).actual()).isEqualTo("1.5");

            ProbeResult bad = run(engine, TaskSpec.builder("fake", "x")
                    .assertion(Assertion.of("measurement.value", Assertion.Op.GE, "100"))
                    .assertion(Assertion.of("attribute.missing", Assertion.Op.CONTAINS, "x")).build());
            assertThat(bad.status()).isEqualTo(ProbeStatus.FAILURE);
            assertThat(bad.error().kind()).isEqualTo(ErrorKind.ASSERTION);
            assertThat(bad.error().message()).isEqualTo("assertion 'measurement.value ge 100' failed: actual 42");
            assertThat(bad.assertions().get(1).passed()).isFalse();
            assertThat(bad.assertions().get(1).actual()).isNull();
        }
    }

    @Test
    void resolverAndAddressPolicyApplyToEveryProbe() throws Exception {
        FakeProvider p = new FakeProvider("net", (ctx, cfg) -> {
            List<InetAddress> addresses = ctx.resolve(cfg.target());
            ctx.checkAddress(new InetSocketAddress(addresses.get(0), 80));
            return CompletableFuture.completedFuture(ctx.newResult().attribute("ip", addresses.get(0).getHostAddress()).build());
        });
        NameResolver table = host -> switch (host) {
            case "ok.test" -> List.of(InetAddress.getByName("127.0.0.2"));
            case "meta.test" -> List.of(InetAddress.getByName("169.254.169.254"));
            default -> throw new java.net.UnknownHostException(host);
        };
        AddressPolicy policy = AddressPolicy.builder().allow("127.0.0.0/8").deny("169.254.0.0/16").build();
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(p).resolver(table)
                .addressPolicy(policy).build()) {
            ProbeResult ok = run(engine, TaskSpec.builder("net", "ok.test").build());
            assertThat(ok.status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(ok.attributes()).containsEntry("ip", "127.0.0.2");
            ProbeResult meta = run(engine, TaskSpec.builder("net", "meta.test").build());
            assertThat(meta.status()).isEqualTo(ProbeStatus.ERROR);
            assertThat(meta.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(meta.error().message()).contains("169.254.169.254").contains("169.254.0.0/16");
            ProbeResult nx = run(engine, TaskSpec.builder("net", "nx.test").build());
            assertThat(nx.status()).isEqualTo(ProbeStatus.FAILURE);
            assertThat(nx.error().kind()).isEqualTo(ErrorKind.DNS);
            assertThat(nx.error().message()).contains("nx.test");
        }
    }

    @Test
    void ambiguousNumericHostsAreRefusedAtValidationAndNeverResolved() throws Exception {
        // a plugin that resolves whatever host it is handed, as an HTTP probe does with a redirect's Location
        FakeProvider p = new FakeProvider("net", (ctx, cfg) -> {
            ctx.resolve(cfg.target().equals("redirect.test") ? "0177.0.0.1"
                    : cfg.target().equals("redirect6.test") ? "[::ffff:0177.0.0.1]" : cfg.target());
            return CompletableFuture.completedFuture(ctx.newResult().build());
        });
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        NameResolver recording = host -> {
            asked.add(host);
            throw new java.net.UnknownHostException(host); // nothing is ever contacted in this test
        };
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(p).resolver(recording).build()) {
            for (String target : new String[] {"0177.0.0.1", "127.1:80", "http://0x7f.1/", "https://user@0177.0.0.1:8443/x",
                    "[0177.0.0.1]:80", "2130706433", "http://[::ffff:0177.0.0.1]/", "[::0177.0.0.1]:80", "::ffff:127.1"}) {
                assertThat(engine.validate(TaskSpec.builder("net", target).build()))
                        .as(target).anySatisfy(problem -> {
                            assertThat(problem.field()).isEqualTo("target");
                            assertThat(problem.reason()).contains("ambiguous");
                        });
            }
            assertThat(engine.validate(TaskSpec.builder("net", "http://127.0.0.1:8080/").build())).isEmpty();
            // at run time (a redirect to such a host): refused as policy before any resolver sees it
            ProbeResult r = run(engine, TaskSpec.builder("net", "redirect.test").build());
            assertThat(r.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(r.error().message()).contains("ambiguous");
            assertThat(asked).doesNotContain("0177.0.0.1");
            ProbeResult r6 = run(engine, TaskSpec.builder("net", "redirect6.test").build());
            assertThat(r6.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(asked).isEmpty();
        }
    }

    @Test
    void aResolverSlowerThanTheDeadlineIsTheProbesOwnTimeoutNamingTheHost() {
        FakeProvider p = new FakeProvider("net", (ctx, cfg) -> {
            ctx.resolve(cfg.target());
            return CompletableFuture.completedFuture(ctx.newResult().build());
        });
        CountDownLatch release = new CountDownLatch(1);
        NameResolver stuckDns = host -> {
            try {
                release.await(); // a DNS server that never answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new java.net.UnknownHostException(host);
        };
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(p).resolver(stuckDns).build()) {
            // 1 s: the probe's deadline lies the full 100 ms margin before the engine's cut-off, room for a busy machine
            ProbeResult r = run(engine, TaskSpec.builder("net", "slow.test").timeout(Duration.ofSeconds(1)).build());
            assertThat(r.status()).isEqualTo(ProbeStatus.TIMEOUT);
            assertThat(r.error().message()).as("the probe's own result, not the engine's cut-off")
                    .isEqualTo("resolving 'slow.test' took longer than the deadline allows");
        } finally {
            release.countDown();
        }
    }

    @Test
    void addressPolicyCanBeReplacedAtRunTimeAndAppliesToTheNextCheck() throws Exception {
        FakeProvider p = new FakeProvider("net", (ctx, cfg) -> {
            ctx.checkAddress(new InetSocketAddress(InetAddress.getByName(cfg.target()), 80));
            return CompletableFuture.completedFuture(ctx.newResult().build());
        });
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(p).build()) {
            assertThat(run(engine, TaskSpec.builder("net", "127.0.0.3").build()).status()).isEqualTo(ProbeStatus.SUCCESS);
            AddressPolicy strict = AddressPolicy.builder().allow("127.0.0.1/32").build();
            engine.addressPolicy(strict);
            assertThat(engine.addressPolicy()).isSameAs(strict);
            ProbeResult refused = run(engine, TaskSpec.builder("net", "127.0.0.3").build());
            assertThat(refused.status()).isEqualTo(ProbeStatus.ERROR);
            assertThat(refused.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(run(engine, TaskSpec.builder("net", "127.0.0.1").build()).status()).isEqualTo(ProbeStatus.SUCCESS);
            engine.addressPolicy(AddressPolicy.allowAll());
            assertThat(run(engine, TaskSpec.builder("net", "127.0.0.3").build()).status()).isEqualTo(ProbeStatus.SUCCESS);
        }
    }

    @Test
    void globalConcurrencyLimitQueuesAttemptsWithoutCountingTheWaitAgainstTheirDeadline() {
        CountDownLatch release = new CountDownLatch(1);
        FakeProvider p = new FakeProvider("gate", (ctx, cfg) -> {
            release.await(5, TimeUnit.SECONDS);
            return CompletableFuture.completedFuture(ctx.newResult().build());
        });
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(p).maxConcurrency(2).build()) {
            List<CompletableFuture<ProbeResult>> runs = java.util.stream.IntStream.range(0, 5)
                    .mapToObj(i -> engine.runOnce(TaskSpec.builder("gate", "x").timeout(Duration.ofSeconds(10)).build())
                            .toCompletableFuture()).toList();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> p.contexts.size() == 2);
            assertThat(engine.stats().inFlight()).isEqualTo(2);
            release.countDown();
            runs.forEach(f -> assertThat(f.join().status()).isEqualTo(ProbeStatus.SUCCESS));
            assertThat(p.contexts).hasSize(5);
        }
    }

    @Test
    void resultsReachSinksAndClosingDrainsThem() {
        InMemorySink sink = new InMemorySink();
        ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding())
                .addSink(sink).build();
        for (int i = 0; i < 100; i++) {
            engine.runOnce(TaskSpec.builder("fake", "x").build()).toCompletableFuture().join();
        }
        engine.close();
        assertThat(sink.size()).isEqualTo(100);
        assertThat(sink.results()).extracting(ProbeResult::id).doesNotHaveDuplicates();
        assertThatThrownBy(() -> engine.runOnce(TaskSpec.builder("fake", "x").build()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingCancelsAttemptsInFlight() {
        FakeProvider p = new FakeProvider("stuck", (ctx, cfg) -> new CompletableFuture<>());
        ProbeEngine engine = engine(p);
        CompletableFuture<ProbeResult> r = engine.runOnce(TaskSpec.builder("stuck", "x").timeout(Duration.ofMinutes(1)).build())
                .toCompletableFuture();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> p.contexts.size() == 1);
        engine.close();
        assertThat(r.join().error().kind()).isEqualTo(ErrorKind.CANCELLED);
    }

    @Test
    void metricsCountResultsByTypeAndStatusAndExposeSinkAndSchedulerFigures() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        FakeProvider refused = new FakeProvider("refused", (ctx, cfg) -> {
            throw new ProbeException(ErrorKind.REFUSED, "no");
        });
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding())
                .addProvider(refused).addSink(new InMemorySink()).meterRegistry(registry).build()) {
            for (int i = 0; i < 3; i++) {
                run(engine, TaskSpec.builder("fake", "x").build());
            }
            run(engine, TaskSpec.builder("refused", "x").build());
            assertThat(registry.get("vantage.probe.results").tags("type", "fake", "status", "SUCCESS").counter().count()).isEqualTo(3);
            assertThat(registry.get("vantage.probe.results").tags("type", "refused", "status", "FAILURE").counter().count()).isEqualTo(1);
            assertThat(registry.get("vantage.probe.attempt.duration").tags("type", "fake").timer().count()).isEqualTo(3);
            assertThat(registry.get("vantage.sink.queue.depth").tags("sink", "memory").gauge()).isNotNull();
            assertThat(registry.get("vantage.sink.dropped").tags("sink", "memory").functionCounter().count()).isZero();
            assertThat(registry.get("vantage.scheduler.lag").timer()).isNotNull();
            assertThat(registry.get("vantage.probe.inflight").gauge().value()).isZero();
        }
    }

    @Test
    void aFailedAttemptCarriesItsFollowUpsWhichNoSinkSeesAlone() {
        FakeProvider refused = new FakeProvider("refused", (ctx, cfg) -> {
            throw new ProbeException(ErrorKind.REFUSED, "no");
        });
        InMemorySink sink = new InMemorySink();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        FollowUps followUps = (task, failed) -> {
            asked.incrementAndGet();
            assertThat(failed.status()).isEqualTo(ProbeStatus.FAILURE);
            return List.of(TaskSpec.builder("fake", "why-" + task.target()).id(task.id()).build(),
                    TaskSpec.builder("refused", "again").build(),
                    TaskSpec.builder("no-such-type", "x").build());
        };
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding())
                .addProvider(refused).addSink(sink).followUps(followUps).build()) {
            ProbeResult ok = run(engine, TaskSpec.builder("fake", "x").id("t1").build());
            assertThat(ok.followUps()).isEmpty();
            ProbeResult failed = run(engine, TaskSpec.builder("refused", "svc").id("t2").build());
            assertThat(failed.followUps()).extracting(ProbeResult::type).containsExactly("fake", "refused", "no-such-type");
            assertThat(failed.followUps().get(0).target()).isEqualTo("why-svc");
            assertThat(failed.followUps().get(0).taskId()).isEqualTo("t2");
            assertThat(failed.followUps().get(0).status()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(failed.followUps().get(1).followUps()).as("no follow-ups of follow-ups").isEmpty();
            assertThat(failed.followUps().get(2).error().kind()).isEqualTo(ErrorKind.CONFIG);
            assertThat(asked).as("asked once, for the failure only").hasValue(1);
            org.awaitility.Awaitility.await().until(() -> sink.size() == 2);
            assertThat(sink.results()).extracting(ProbeResult::taskId).containsExactlyInAnyOrder("t1", "t2");
            assertThat(sink.results().stream().filter(r -> r.taskId().equals("t2")).findFirst().orElseThrow()
                    .followUps()).hasSize(3);
        }
    }
}
