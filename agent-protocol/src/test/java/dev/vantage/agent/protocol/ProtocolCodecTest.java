package dev.vantage.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.agent.protocol.Message.Ack;
import dev.vantage.agent.protocol.Message.AgentStats;
import dev.vantage.agent.protocol.Message.Capabilities;
import dev.vantage.agent.protocol.Message.ErrorReply;
import dev.vantage.agent.protocol.Message.Heartbeat;
import dev.vantage.agent.protocol.Message.Hello;
import dev.vantage.agent.protocol.Message.InstantTest;
import dev.vantage.agent.protocol.Message.Plugin;
import dev.vantage.agent.protocol.Message.PolicyUpdate;
import dev.vantage.agent.protocol.Message.Rejected;
import dev.vantage.agent.protocol.Message.Results;
import dev.vantage.agent.protocol.Message.TaskChanges;
import dev.vantage.agent.protocol.Message.Welcome;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {
    private static final TaskSpec TASK = TaskSpec.builder("http", "http://127.0.0.1:8080/")
            .id("web").interval(Duration.ofSeconds(30)).param("method", "GET").label("team", "web").build();
    private static final Policy POLICY = new Policy(List.of("127.0.0.0/8"), List.of("169.254.0.0/16"),
            List.of(new Policy.PortRange(25, 25), new Policy.PortRange("127.0.0.0/8", 8080, 8080)));

    static Stream<Message> messages() {
        ProbeResult result = ProbeResult.builder().type("http").target("http://127.0.0.1:8080/")
                .id("0194a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b").taskId("web").status(ProbeStatus.SUCCESS)
                .startedAt(Instant.parse("2026-11-26T10:00:00.123456789Z")).duration(Duration.ofNanos(1_234_567))
                .measurement("httpStatus", 200).build();
        return Stream.of(
                new Hello(1, "0.1.0", new Capabilities(List.of(new Plugin("icmp", "0.1.0"), new Plugin("http", "0.1.0")),
                        "raw", true), Map.of("region", "beijing")),
                new Heartbeat(Instant.parse("2026-11-26T10:00:00Z"), new AgentStats(0.25, 1.5, 100, 200, 3, 4, 5, 6)),
                new Heartbeat(Instant.parse("2026-11-26T10:00:00Z"), new AgentStats(0.25, 1.5, 100, 200, 3, 4, 5, 6),
                        Map.of(AgentMeter.SCHEDULER_LAG_P99, 0.0125, AgentMeter.RESULTS_SUCCESS, 42.0)),
                new Results("b-1", List.of(result)),
                new Rejected("web", "unknown probe type 'dns'"),
                new Welcome("a-1", Duration.ofSeconds(10), POLICY, List.of(TASK)),
                new TaskChanges(List.of(TASK), List.of("old")),
                new PolicyUpdate(POLICY),
                new InstantTest("i-1", TaskSpec.builder("icmp", "127.0.0.1").id("i-1").build()),
                new Ack("b-1", 1, 0),
                new Hello(1, 2, "0.2.0", new Capabilities(List.of(), "none", false), Map.of()),
                new Welcome("a-1", Duration.ofSeconds(10), POLICY, List.of(), 2),
                new Message.Update("2.0.0", 1234, "ab".repeat(32), "c2lnbmF0dXJl"),
                new Message.UpdateStatus("2.0.0", Message.UpdateStatus.ROLLED_BACK, "not healthy within 30s"),
                new Message.UpdateStatus("2.0.0", Message.UpdateStatus.HEALTHY, null),
                new ErrorReply("what?"));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessageSurvivesARoundTrip(Message message) {
        String json = ProtocolCodec.encode(message);
        assertThat(json).contains("\"type\":\"" + message.type() + "\"");
        Message back = ProtocolCodec.decode(json);
        if (message instanceof Results r) {
            // ProbeResult has no value equality; compare the public JSON form instead
            assertThat(ResultJson.toJson(((Results) back).results().get(0))).isEqualTo(ResultJson.toJson(r.results().get(0)));
        } else {
            assertThat(back).isEqualTo(message);
        }
    }

    @Test
    void unknownFieldsAreIgnoredSoNewerPeersStayCompatible() {
        Message m = ProtocolCodec.decode("{\"type\":\"ack\",\"batch\":\"b\",\"stored\":2,\"duplicates\":0,\"extra\":[1]}");
        assertThat(m).isEqualTo(new Ack("b", 2, 0));
    }

    @Test
    void aVersionOnePeerSpeaksOneVersionAndTheRangesAreNegotiated() {
        Message hello = ProtocolCodec.decode("{\"type\":\"hello\",\"protocol\":1,\"agentVersion\":\"0.1.0\","
                + "\"capabilities\":{\"plugins\":[],\"icmpMode\":\"none\",\"ipv6\":false}}");
        assertThat(((Hello) hello).maxProtocol()).isEqualTo(1);
        Message welcome = ProtocolCodec.decode("{\"type\":\"welcome\",\"agentId\":\"a\",\"heartbeatInterval\":\"10s\","
                + "\"policy\":{},\"tasks\":[]}");
        assertThat(((Welcome) welcome).protocol()).isEqualTo(1);
        assertThat(ProtocolVersions.negotiate(1, 1)).hasValue(1);
        assertThat(ProtocolVersions.negotiate(1, 7)).hasValue(ProtocolVersions.MAX);
        assertThat(ProtocolVersions.negotiate(ProtocolVersions.MAX + 1, ProtocolVersions.MAX + 3)).isEmpty();
        assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":\"updateStatus\",\"version\":\"2\",\"state\":\"fine\"}"))
                .hasMessageStartingWith("state must be one of");
    }

    @Test
    void heartbeatMetersAreOptionalAndBoundedToTheKnownKeys() {
        String stats = "\"stats\":{\"cpuLoad\":0,\"systemLoad\":0,\"memoryUsedBytes\":1,\"memoryMaxBytes\":2,"
                + "\"tasks\":0,\"spooledResults\":0,\"spooledBytes\":0,\"droppedResults\":0}";
        // an agent from before meters were forwarded
        Heartbeat old = (Heartbeat) ProtocolCodec.decode("{\"type\":\"heartbeat\",\"sentAt\":\"2026-11-26T10:00:00Z\"," + stats + "}");
        assertThat(old.meters()).isEmpty();
        // names not on the list (a newer agent's, or made up) are dropped: the server's series stay bounded
        Heartbeat h = (Heartbeat) ProtocolCodec.decode("{\"type\":\"heartbeat\",\"sentAt\":\"2026-11-26T10:00:00Z\","
                + stats + ",\"meters\":{\"spoolBytes\":512,\"anything{evil=\\\"x\\\"}\":1,\"futureMeter\":\"x\"}}");
        assertThat(h.meters()).containsExactly(Map.entry(AgentMeter.SPOOL_BYTES, 512.0));
        assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":\"heartbeat\",\"sentAt\":\"2026-11-26T10:00:00Z\","
                + stats + ",\"meters\":{\"spoolBytes\":\"512\"}}")).hasMessage("meters.spoolBytes must be a number");
        // NaN (an unavailable load average, say) is left out rather than sent as a string the reader refuses
        Heartbeat nan = new Heartbeat(Instant.EPOCH, new AgentStats(0, 0, 0, 0, 0, 0, 0, 0),
                Map.of(AgentMeter.SYSTEM_LOAD_1M, Double.NaN, AgentMeter.SPOOL_RESULTS, 3.0));
        assertThat(((Heartbeat) ProtocolCodec.decode(ProtocolCodec.encode(nan))).meters())
                .containsExactly(Map.entry(AgentMeter.SPOOL_RESULTS, 3.0));
    }

    @Test
    void badFramesNameTheProblem() {
        assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":\"nope\"}")).hasMessage("type 'nope' is unknown");
        assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":\"ack\",\"stored\":1,\"duplicates\":0}"))
                .isInstanceOf(ProtocolException.class).hasMessage("batch is missing");
        assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":\"ack\",\"batch\":\"b\",\"stored\":\"1\",\"duplicates\":0}"))
                .hasMessage("stored must be a whole number");
        assertThatThrownBy(() -> ProtocolCodec.decode("[1]")).hasMessage("frame must be a JSON object");
        assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":")).hasMessageStartingWith("frame is not valid JSON");
        assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":\"instant\",\"id\":\"i\",\"task\":{\"type\":\"icmp\",\"bogus\":1}}"))
                .hasMessageStartingWith("task is invalid").hasMessageContaining("bogus");
    }

    @Test
    void policyBecomesTheEnginePolicy() throws Exception {
        var engine = POLICY.toAddressPolicy();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertThat(engine.check(new InetSocketAddress(loopback, 80))).isEmpty();
        assertThat(engine.check(new InetSocketAddress(loopback, 8080))).isPresent();
        assertThat(engine.check(new InetSocketAddress(loopback, 25))).isPresent();
        assertThat(engine.check(new InetSocketAddress(InetAddress.getByName("169.254.169.254"), 80))).isPresent();
        assertThat(engine.check(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 80))).isPresent();
    }
}
