package dev.vantage.sink.influxdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResultLinesTest {
    private static final Instant START = Instant.parse("2025-01-02T03:04:05.123456789Z");
    private final ResultLines lines = new ResultLines("vantage_", 8, TimeUnit.NANOSECONDS);

    private static ProbeResult.Builder result() {
        return ProbeResult.builder().id("r1").taskId("web").type("http").target("https://example.com/")
                .startedAt(START).duration(Duration.ofNanos(12_345_678));
    }

    @Test
    void aResultIsOneLineWithSortedTagsAndSnakeCaseFields() {
        ProbeResult r = result().phase("dns", Duration.ofMillis(1)).phase("connect", Duration.ofNanos(1_500_000))
                .measurement("httpStatus", 200).measurement("rttAvgMs", 0.25)
                .label("agent", "a1").label("region", "eu").label("isp", "acme").build();
        assertThat(lines.line(r)).isEqualTo("vantage_http,agent=a1,isp=acme,region=eu,status=SUCCESS,"
                + "target=https://example.com/,task=web duration_ms=12.345678,success=1i,phase_dns_ms=1.0,"
                + "phase_connect_ms=1.5,http_status=200.0,rtt_avg_ms=0.25 1735787045123456789");
    }

    @Test
    void errorsGiveAKindTagAndAMessageField() {
        ProbeResult r = result().error(ErrorKind.TIMEOUT, "no answer in 5s").build();
        assertThat(lines.line(r)).isEqualTo("vantage_http,error_kind=TIMEOUT,status=TIMEOUT,target=https://example.com/,"
                + "task=web duration_ms=12.345678,success=0i,error_message=\"no answer in 5s\" 1735787045123456789");
    }

    @Test
    void tagsEscapeSpacesCommasEqualsAndBackslashes() {
        ProbeResult r = result().target("a b,c=d\"e\\").taskId("").label("team name", "x y").build();
        assertThat(lines.line(r)).startsWith("vantage_http,status=SUCCESS,target=a\\ b\\,c\\=d\"e\\\\,team_name=x\\ y "
                + "duration_ms=");
    }

    @Test
    void stringFieldsEscapeQuotesAndBackslashesAndLoseNewlines() {
        ProbeResult r = result().error(ErrorKind.PROTOCOL, "got \"HTTP/1.1 5xx\"\nat C:\\x, a=b").build();
        assertThat(lines.line(r)).contains(",error_message=\"got \\\"HTTP/1.1 5xx\\\" at C:\\\\x, a=b\" ");
    }

    @Test
    void nonFiniteMeasurementsAreLeftOut() {
        ProbeResult r = result().measurement("lossPercent", 100).measurement("rttAvgMs", Double.NaN)
                .measurement("jitterMs", Double.POSITIVE_INFINITY).build();
        assertThat(lines.line(r)).contains("loss_percent=100.0").doesNotContain("rtt_avg_ms").doesNotContain("jitter")
                .doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void keyLabelsAlwaysBecomeTagsOthersOnlyUpToTheLimit() {
        ResultLines bounded = new ResultLines("vantage_", 2, TimeUnit.NANOSECONDS);
        ProbeResult r = result().label("a", "1").label("b", "2").label("c", "3").label("zone", "z")
                .label("region", "eu").label("agent", "a1").label("status", "spoofed").build();
        String line = bounded.line(r);
        assertThat(line).contains(",a=1,agent=a1,b=2,region=eu,status=SUCCESS,").doesNotContain("c=3").doesNotContain("zone");
    }

    @Test
    void timestampsFollowThePrecision() {
        assertThat(new ResultLines("v_", 8, TimeUnit.MILLISECONDS).line(result().build())).endsWith(" 1735787045123");
        assertThat(new ResultLines("v_", 8, TimeUnit.SECONDS).line(result().build())).startsWith("v_http,").endsWith(" 1735787045");
    }

    @Test
    void namesBecomeSnakeCase() {
        assertThat(ResultLines.snake("rttAvgMs")).isEqualTo("rtt_avg_ms");
        assertThat(ResultLines.snake("ttfb")).isEqualTo("ttfb");
        assertThat(ResultLines.snake("rttP99Ms")).isEqualTo("rtt_p99_ms");
        assertThat(ResultLines.snake("team.name-x")).isEqualTo("team_name_x");
        assertThat(ResultLines.snake("dns-over-https")).isEqualTo("dns_over_https");
    }
}
