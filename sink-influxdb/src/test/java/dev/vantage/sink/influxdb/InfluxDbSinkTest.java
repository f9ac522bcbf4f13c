package dev.vantage.sink.influxdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InfluxDbSinkTest {
    @Test
    void theTokenNeverShows() {
        try (InfluxDbSink sink = InfluxDbSink.builder().url("http://127.0.0.1:8086").org("o").bucket("b")
                .token("s3cr3t-token").build()) {
            assertThat(sink.toString()).contains("127.0.0.1:8086").doesNotContain("s3cr3t");
            assertThat(sink.name()).isEqualTo("influxdb");
        }
    }

    @Test
    void settingsAreCheckedWhenBuilt() {
        assertThatThrownBy(() -> InfluxDbSink.builder().org("o").bucket("b").build()).hasMessageContaining("url");
        assertThatThrownBy(() -> InfluxDbSink.builder().url("ftp://x").org("o").bucket("b").build())
                .hasMessageContaining("http");
        assertThatThrownBy(() -> InfluxDbSink.builder().url("http://x:8086").bucket("b").build()).hasMessageContaining("org");
        assertThatThrownBy(() -> InfluxDbSink.builder().url("http://x:8086").org("o").build()).hasMessageContaining("bucket");
        assertThatThrownBy(() -> InfluxDbSink.builder().precision(TimeUnit.MINUTES)).hasMessageContaining("precision");
        assertThatThrownBy(() -> InfluxDbSink.builder().maxRetries(-1)).hasMessageContaining("maxRetries");
    }
}
