package dev.vantage.probe.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.sink.InMemorySink;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A slow or failing sink never blocks probing nor other sinks, and what it loses is counted. */
class SinkDeliveryTest {

    /** Blocks in its first export until released. */
    static final class StuckSink implements ResultSink {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger received = new AtomicInteger();

        @Override
        public String name() {
            return "stuck";
        }

        @Override
        public void export(List<ProbeResult> batch) throws InterruptedException {
            release.await(30, TimeUnit.SECONDS);
            received.addAndGet(batch.size());
        }
    }

    @Test
    void aStuckSinkDropsAndCountsWhileProbingAndOtherSinksCarryOn() {
        StuckSink stuck = new StuckSink();
        InMemorySink healthy = new InMemorySink();
        int runs = 500;
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding())
                .addSink(stuck).addSink(healthy).sinkQueueCapacity(100).sinkBatchSize(10).build()) {
            for (int i = 0; i < runs; i++) {
                // would hang here if delivery blocked probing
                engine.runOnce(TaskSpec.builder("fake", "x").build()).toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
                // paced by the healthy sink: its queue must not overflow when a busy CI machine delays its thread
                int expected = i + 1;
                Awaitility.await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                        .until(() -> healthy.size() == expected);
            }
            EngineStats.SinkStats s = engine.stats().sinks().get(0);
            assertThat(s.name()).isEqualTo("stuck");
            // one batch of up to 10 is held by the stuck export, 100 wait in the queue, the rest are dropped
            assertThat(s.queued()).isEqualTo(100);
            assertThat(s.dropped()).isBetween((long) runs - 110, (long) runs - 100);
            assertThat(engine.stats().sinks().get(1).dropped()).isZero();
            stuck.release.countDown();
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> engine.stats().sinks().get(0).delivered() + engine.stats().sinks().get(0).dropped() == runs);
            assertThat(stuck.received.get() + s.dropped()).isEqualTo(runs);
        }
    }

    @Test
    void aFailingSinkIsCountedAndKeepsReceivingLaterBatches() {
        AtomicInteger calls = new AtomicInteger();
        ResultSink flaky = batch -> {
            if (calls.incrementAndGet() == 1) {
                throw new java.io.IOException("backend down");
            }
        };
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding())
                .addSink(flaky).sinkBatchSize(1).build()) {
            for (int i = 0; i < 3; i++) {
                engine.runOnce(TaskSpec.builder("fake", "x").build()).toCompletableFuture().join();
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 3);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().sinks().get(0).delivered() == 2);
            assertThat(engine.stats().sinks().get(0).failedBatches()).isEqualTo(1);
        }
    }

    @Test
    void aLingerGathersATrickleIntoFewBatchesAndStillDeliversALoneResultAtOnce() {
        List<Integer> sizes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        ResultSink counting = batch -> sizes.add(batch.size());
        // a linger far above any scheduling delay of a busy machine, so the test tells "waited" from "at once"
        Duration linger = Duration.ofSeconds(2);
        try (ProbeEngine engine = ProbeEngine.builder().discoverProviders(false).addProvider(FakeProvider.succeeding())
                .addSink(counting).sinkBatchSize(200).sinkLinger(linger).build()) {
            // a result every 5 ms for about 400 ms: without the linger nearly each would be a batch of its own
            for (int i = 0; i < 80; i++) {
                engine.runOnce(TaskSpec.builder("fake", "x").build()).toCompletableFuture().join();
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> sizes.stream().mapToInt(Integer::intValue).sum() == 80);
            // the first result goes at once, the rest gather behind the linger
            assertThat(sizes.size()).as(sizes.toString()).isBetween(2, 4);

            // after a quiet spell longer than the linger, a lone result is exported at once, not held back
            java.util.concurrent.locks.LockSupport.parkNanos(linger.plusMillis(300).toNanos());
            long start = System.nanoTime();
            engine.runOnce(TaskSpec.builder("fake", "x").build()).toCompletableFuture().join();
            Awaitility.await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                    .until(() -> sizes.stream().mapToInt(Integer::intValue).sum() == 81);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(linger.dividedBy(2));
        }
    }

    @Test
    void aNegativeLingerIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProbeEngine.builder().sinkLinger(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sinkLinger");
    }
}
