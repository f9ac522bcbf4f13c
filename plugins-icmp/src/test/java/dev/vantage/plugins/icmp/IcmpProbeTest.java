package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.InNetns;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.Netns;
import dev.vantage.probe.testkit.TestEngines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whole attempts through a real engine against the loopback interface. */
class IcmpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static ProbeEngine engine;

    @BeforeAll
    static void startEngine() {
        EchoChannelTest.openOrSkip(false).close();
        engine = TestEngines.engine(new IcmpProbeProvider());
    }

    @AfterAll
    static void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    private static TaskSpec task(String target, Duration timeout, Map<String, Object> params) {
        return TaskSpec.builder("icmp", target).timeout(timeout).params(params).build();
    }

    private static ProbeResult ping(String target, Map<String, Object> params) {
        return TestEngines.runOnce(engine, task(target, TIMEOUT, params));
    }

    @Test
    void theWarmUpEchoesLoopbackOnce() throws Exception {
        String reason = Netns.unavailableReason();
        Assumptions.assumeTrue(reason == null, "counting the kernel's echo replies needs a namespace of its own: " + reason);
        try (Netns ns = Netns.create("vti-w")) {
            IcmpProbeProvider provider = new IcmpProbeProvider();
            try {
                // its socket is opened on a thread inside the namespace, so the echo goes to that namespace's loopback,
                // where nothing else pings; warmUp() throws unless it was answered
                InNetns.call(ns.name(), () -> {
                    provider.warmUp();
                    return null;
                });
            } finally {
                provider.close();
            }
            // the responder is the namespace's kernel: it saw one echo request and answered it
            assertThat(icmpCounters(ns)).containsEntry("InEchos", 1L).containsEntry("OutEchoReps", 1L);
        }
    }

    /** The {@code Icmp:} counters of {@code /proc/net/snmp} inside a namespace, by name. */
    private static Map<String, Long> icmpCounters(Netns ns) throws Exception {
        List<String[]> icmp = ns.exec("cat", "/proc/net/snmp").lines().filter(l -> l.startsWith("Icmp: "))
                .map(l -> l.substring("Icmp: ".length()).split(" ")).toList();
        assertThat(icmp).as("a line of names and a line of values").hasSize(2);
        Map<String, Long> counters = new HashMap<>();
        for (int i = 0; i < icmp.get(0).length; i++) {
            counters.put(icmp.get(0)[i], Long.parseLong(icmp.get(1)[i]));
        }
        return counters;
    }

    @Test
    void reportsRepliesRttsAndHowTheyWereMeasured() {
        ProbeResult r = ping("127.0.0.1", Map.of("count", 5, "interval", "10ms"));

        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
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
                .hasEntrySatisfying("icmpMode", mode -> assertThat(mode).isIn("datagram", "raw"));
        assertThat(r.phases()).containsKey("dns");
        // four intervals of 10 ms, each request leaving at most 1 ms early
        assertThat(r.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(36)).isLessThan(TIMEOUT);
    }

    @Test
    void pingsIpv6ByName() {
        Assumptions.assumeTrue(EchoChannelTest.hasIpv6Loopback(), "no ::1 on lo");

        ProbeResult r = ping("[::1]", Map.of("count", 2, "interval", "1ms", "ipVersion", "6"));

        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
        assertThat(r.attributes()).containsEntry("remoteAddress", "0:0:0:0:0:0:0:1");
    }

    @Test
    void usesTheTtlAndPayloadSizeAsked() {
        ProbeResult r = ping("127.0.0.2", Map.of("count", 1, "ttl", 1, "size", 1400));

        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
    }

    @Test
    void refusesAFamilyTheNameDoesNotHave() {
        ProbeResult r = ping("127.0.0.1", Map.of("ipVersion", "6"));

        assertThat(r.error().kind()).isEqualTo(ErrorKind.DNS);
        assertThat(r.error().message()).contains("no IPv6 address");
    }

    @Test
    void runsManyTargetsConcurrentlyWithoutFalseLoss() {
        // A generous timeout: this is about matching replies on one socket, not about CPU on a shared machine.
        Duration timeout = Duration.ofSeconds(10);
        List<CompletableFuture<ProbeResult>> results = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String target = "127.1." + (i / 200) + "." + (1 + i % 200);
            results.add(engine.runOnce(task(target, timeout, Map.of("interval", "5ms"))).toCompletableFuture());
        }
        for (var f : results) {
            ProbeResult r = f.orTimeout(20, TimeUnit.SECONDS).join();
            assertThat(r.measurements()).as("%s", r).containsEntry("sent", 3.0).containsEntry("lossPercent", 0.0);
        }
    }

    @Test
    void aClosedProviderCancels() {
        IcmpProbeProvider closed = new IcmpProbeProvider();
        try (ProbeEngine own = TestEngines.engine(closed)) {
            closed.close();

            ProbeResult r = TestEngines.runOnce(own, task("127.0.0.1", TIMEOUT, Map.of()));
            assertThat(r.error().kind()).isEqualTo(ErrorKind.CANCELLED);
        }
    }
}
