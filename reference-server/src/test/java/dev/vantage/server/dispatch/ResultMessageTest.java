package dev.vantage.server.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.results.ResultStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultMessageTest {

    @Test
    void theBodiesKeptFromTheMessageAreWhatTheStoreWouldWrite() {
        ProbeResult ok = ProbeResult.builder().id("0190a1b2-0000-7000-8000-000000000001").taskId("web").type("http")
                .target("https://例え.jp/\"q\"").status(ProbeStatus.SUCCESS).startedAt(Instant.parse("2026-01-02T03:04:05.123456789Z"))
                .duration(Duration.ofMillis(42)).measurement("rttAvgMs", 1.25).build();
        ProbeResult down = ok.toBuilder().id("0190a1b2-0000-7000-8000-000000000002").status(ProbeStatus.TIMEOUT)
                .error(ErrorKind.TIMEOUT, "no answer ☹").build();
        ResultStore.Batch b = ResultMessage.decode(ResultMessage.encode("agent-1", List.of(ok, down)));
        assertThat(b.agentId()).isEqualTo("agent-1");
        assertThat(b.results()).extracting(ProbeResult::id).containsExactly(ok.id(), down.id());
        assertThat(b.bodies()).containsExactly(ResultJson.toJson(ok), ResultJson.toJson(down));
    }

    @Test
    void whatIsNotABatchIsRefused() {
        for (String bad : List.of("[]", "{\"agent\":\"a\"}", "{\"results\":[]}", "{\"agent\":1,\"results\":[]}", "{\"agent\":\"a\",",
                "{\"agent\":\"a\",\"results\":[{\"id\":\"x\"}]}")) {
            assertThatThrownBy(() -> ResultMessage.decode(bad.getBytes(StandardCharsets.UTF_8))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
