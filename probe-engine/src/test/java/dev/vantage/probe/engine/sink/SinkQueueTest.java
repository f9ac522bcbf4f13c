package dev.vantage.probe.engine.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SinkQueueTest {
    private static final ProbeResult RESULT = ProbeResult.builder().type("tcp").target("t").startedAt(Instant.EPOCH).build();

    @Test
    void offersNeverBlockAFullQueueDropsAndCountsAndCloseDeliversTheRest() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        ResultSink slow = new ResultSink() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public void export(List<ProbeResult> batch) throws InterruptedException {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
                received.addAndGet(batch.size());
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SinkQueue queue = new SinkQueue(slow, 3, 10, registry);
        queue.offer(RESULT);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue(); // the first result is being exported
        queue.offerAll(List.of(RESULT, RESULT, RESULT, RESULT, RESULT)); // 3 fit, 2 do not
        assertThat(queue.stats().dropped()).isEqualTo(2);
        assertThat(queue.stats().queued()).isEqualTo(3);
        assertThat(registry.get("vantage.sink.dropped").tag("sink", "slow").functionCounter().count()).isEqualTo(2);

        release.countDown();
        queue.close();
        assertThat(received).hasValue(4);
        assertThat(queue.stats().delivered()).isEqualTo(4);
    }
}
