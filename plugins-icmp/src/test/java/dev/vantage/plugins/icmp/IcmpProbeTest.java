package dev.vantage.plugins.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whole attempts through the provider against the loopback interface. */
class IcmpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static IcmpProbeProvider provider;

    @BeforeAll
    static void openProvider() {
        EchoChannelTest.openOrSkip(false).close();
        provider = new IcmpProbeProvider();
    }

    @AfterAll
    static void closeProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    private static ProbeResult ping(String target, Object... overrides) throws Exception {
        return provider.create(TestContext.config(target, TIMEOUT, overrides))
                .run(new TestContext(target, TIMEOUT)).toCompletableFuture().get();
    }

    @Test
    void reportsRepliesRttsAndHowTheyWereMeasured() throws Exception {
        ProbeResult r = ping("127.0.0.1", "count", 5L, "interval", Duration.ofMillis(10));

        assertThat(r.status()).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.error()).isNull();
        assertThat(r.measurements()).containsEntry("sent", 5.0).containsEntry("received", 5.0)
                .containsEntry("lossPercent", 0.0)
                .containsKeys("rttMinMs", "rttAvgMs", "rttMaxMs", "rttMdevMs", "jitterMs");
        assertThat(r.measurements().get("rttMinMs")).isPositive()
                .isLessThanOrEqualTo(r.measurements().get("rttAvgMs"));
        assertThat(r.measurements().get("rttAvgMs")).isLessThanOrEqualTo(r.measurements().get("rttMaxMs"));
        assertThat(r.samples().get("rttMs")).hasSize(5).doesNotContainNull();
        assertThat(r.attributes()).containsEntry("remoteAddress", "127.0.0.1")
                .containsEntry("timestampSource", "kernel")
                .hasEntrySatisfying("icmpMode", mode -> assertThat(mode).isIn("dgram", "raw"));
        assertThat(r.phases()).containsKey("dns");
        assertThat(r.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(40));
    }

    @Test
    void pingsIpv6ByName() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(EchoChannelTest.hasIpv6Loopback(), "no ::1 on lo");

        ProbeResult r = ping("[::1]", "count", 2L, "interval", Duration.ofMillis(1), "ipVersion", "6");

        assertThat(r.status()).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("remoteAddress", "0:0:0:0:0:0:0:1");
    }

    @Test
    void usesTheTtlAndPayloadSizeAsked() throws Exception {
        ProbeResult r = ping("127.0.0.2", "count", 1L, "ttl", 1L, "size", 1400L);

        assertThat(r.status()).isEqualTo(ProbeStatus.SUCCESS);
    }

    @Test
    void refusesAFamilyTheNameDoesNotHave() {
        assertThatThrownBy(() -> ping("127.0.0.1", "ipVersion", "6"))
                .isInstanceOfSatisfying(ProbeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.DNS);
                    assertThat(e.getMessage()).contains("no IPv6 address");
                });
    }

    @Test
    void runsManyTargetsConcurrentlyWithoutFalseLoss() throws Exception {
        // A generous timeout: this is about matching replies on one socket, not about CPU on a shared machine.
        Duration timeout = Duration.ofSeconds(10);
        List<Future<ProbeResult>> results = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1000; i++) {
                String target = "127.1." + (i / 200) + "." + (1 + i % 200);
                var probe = provider.create(TestContext.config(target, timeout, "interval", Duration.ofMillis(5)));
                results.add(threads.submit(() -> probe.run(new TestContext(target, timeout))
                        .toCompletableFuture().get()));
            }
        }
        for (var f : results) {
            ProbeResult r = f.get();
            assertThat(r.measurements()).as(r.toString()).containsEntry("sent", 3.0).containsEntry("lossPercent", 0.0);
        }
    }

    @Test
    void closedProviderRefusesNewAttempts() throws Exception {
        IcmpProbeProvider closed = new IcmpProbeProvider();
        var probe = closed.create(TestContext.config("127.0.0.1", TIMEOUT));
        closed.close();

        assertThatThrownBy(() -> probe.run(new TestContext("127.0.0.1", TIMEOUT)))
                .isInstanceOfSatisfying(ProbeException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CANCELLED));
    }

    @Test
    void timeoutAndIntervalMustFit() {
        assertThatThrownBy(() -> provider.create(TestContext.config("127.0.0.1", Duration.ofMillis(100),
                "count", 3L, "interval", Duration.ofMillis(50))))
                .isInstanceOf(InvalidConfigException.class);
    }
}
