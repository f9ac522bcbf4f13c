package dev.vantage.plugins.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.plugin.support.Expectation;
import dev.vantage.probe.testkit.TestEngines;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Descriptor and configuration checks, validated by a real engine (which names parameters {@code params.<name>}),
 * and the round statistics.
 */
class UdpProbeProviderTest {
    private static final long MS = 1_000_000;
    private final UdpProbeProvider provider = new UdpProbeProvider();
    private final ProbeEngine engine = TestEngines.engine(provider);

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void isFoundByServiceLoader() {
        getClass().getModule().addUses(ProbeProvider.class); // tests run inside the plugin's module
        assertThat(ServiceLoader.load(ProbeProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(UdpProbeProvider.class);
    }

    @Test
    void describesItsParameters() {
        assertThat(provider.describe().type()).isEqualTo("udp");
        assertThat(provider.describe().parameters()).extracting(ParameterSpec::name).containsExactly(
                "payload", "payloadHex", "expect", "expectHex", "count", "interval", "ipVersion");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Object> params = Map.of("payload", "x", "payloadHex", "00", "expect", "[", "count", 11L,
                "interval", Duration.ofMillis(100));
        assertThat(problems("nohost", params))
                .containsExactly("target", "params.payloadHex", "params.expect", "params.interval");
    }

    @Test
    void refusesAnEmptyPrefix() {
        assertThat(problems("127.0.0.1:7", Map.of("payload", "x", "expectHex", ""))).containsExactly("params.expectHex");
    }

    @Test
    void badHexIsRefusedByTheEngineAndThePluginStillChecksTheRest() {
        // the refused payloadHex never reaches the plugin, which then finds no payload at all
        assertThat(problems("127.0.0.1:7", Map.of("payloadHex", "abc")))
                .containsExactly("params.payloadHex", "params.payload");
    }

    @Test
    void needsAPayload() {
        // the JDK cannot send an empty datagram
        assertThat(problems("127.0.0.1:7", Map.of())).containsExactly("params.payload");
        assertThat(problems("127.0.0.1:7", Map.of("payload", ""))).containsExactly("params.payload");
        assertThat(problems("127.0.0.1:7", Map.of("payloadHex", " "))).containsExactly("params.payloadHex");
    }

    @Test
    void computesStatisticsLikePing() {
        UdpProbe.Round round = new UdpProbe.Round(4);
        round.sending(0);
        round.reply(MS, null, new byte[0], 0);
        round.sending(10 * MS); // lost
        round.sending(20 * MS);
        round.reply(23 * MS, null, new byte[0], 0); // credited to the latest datagram waiting
        round.sending(30 * MS);
        round.reply(32 * MS, null, new byte[0], 0);
        ProbeResult r = report(round);

        assertThat(r.samples().get("rttMs")).containsExactly(1.0, null, 3.0, 2.0);
        assertThat(r.measurements())
                .containsEntry("sent", 4.0)
                .containsEntry("received", 3.0)
                .containsEntry("lossPercent", 25.0)
                .containsEntry("rttMinMs", 1.0)
                .containsEntry("rttAvgMs", 2.0)
                .containsEntry("rttMaxMs", 3.0)
                .containsEntry("jitterMs", 1.5);
        assertThat(r.measurements().get("rttMdevMs")).isCloseTo(Math.sqrt(2.0 / 3.0), within(1e-12));
    }

    @Test
    void ignoresRepliesNobodyWaitsFor() {
        UdpProbe.Round round = new UdpProbe.Round(1);
        round.sending(0);
        round.reply(MS, null, new byte[0], 0);
        round.reply(2 * MS, null, new byte[0], 0);
        assertThat(report(round).measurements()).containsEntry("received", 1.0).containsEntry("jitterMs", 0.0);
    }

    @Test
    void aRefusedDatagramIsLost() {
        UdpProbe.Round round = new UdpProbe.Round(2);
        round.sending(0);
        round.refused();
        round.sending(10 * MS);
        round.reply(11 * MS, null, new byte[0], 0);
        ProbeResult r = report(round);
        assertThat(r.samples().get("rttMs")).containsExactly(null, 1.0);
        assertThat(r.measurements()).containsEntry("lossPercent", 50.0).containsEntry("rttMdevMs", 0.0);
        assertThat(round.waiting()).isZero();
    }

    @Test
    void remembersTheFirstMismatchingReply() {
        UdpProbe.Round round = new UdpProbe.Round(2);
        Expectation pong = Expectation.regex("^pong$");
        round.sending(0);
        round.reply(MS, pong, "pong".getBytes(), 4);
        round.sending(2 * MS);
        round.reply(3 * MS, pong, "pang\n".getBytes(), 5);
        assertThat(round.mismatch).isEqualTo("'pang\\n'");
    }

    private static ProbeResult report(UdpProbe.Round round) {
        ProbeResult.Builder b = ProbeResult.builder().startedAt(Instant.EPOCH);
        round.report(b);
        return b.build();
    }

    private List<String> problems(String target, Map<String, Object> params) {
        TaskSpec spec = TaskSpec.builder("udp", target).timeout(Duration.ofSeconds(1)).params(params).build();
        return engine.validate(spec).stream().map(ConfigProblem::field).toList();
    }
}
