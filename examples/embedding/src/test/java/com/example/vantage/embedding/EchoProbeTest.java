package com.example.vantage.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The example plugin's behaviour through the engine, against real loopback sockets. */
class EchoProbeTest {
    private final ProbeEngine engine = ProbeEngine.builder().build();

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void sendsTheSecretTokenButNeverReportsIt() throws Exception {
        try (LineServer server = new LineServer(line -> line + "!")) { // a wrong reply that carries the token
            ProbeResult result = run(task(server.target()).param("token", "s3cret"));

            assertThat(server.received()).containsExactly("s3cret hello");
            assertThat(result.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
            assertThat(result.error().message()).doesNotContain("s3cret");
            assertThat(result.attributes().values()).noneMatch(v -> v.contains("s3cret"));
        }
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        ProbeResult result = run(task("127.0.0.1:" + port));

        assertThat(result.status()).isEqualTo(ProbeStatus.FAILURE);
        assertThat(result.error().kind()).isEqualTo(ErrorKind.REFUSED);
    }

    @Test
    void aSilentServerTimesOutAtTheDeadline() throws Exception {
        try (LineServer server = new LineServer(line -> null)) {
            ProbeResult result = run(task(server.target()).timeout(Duration.ofMillis(300)));

            assertThat(result.status()).isEqualTo(ProbeStatus.TIMEOUT);
            assertThat(result.duration()).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void theAddressPolicyIsCheckedBeforeConnecting() throws Exception {
        try (LineServer server = LineServer.echo();
             ProbeEngine strict = ProbeEngine.builder()
                     .addressPolicy(AddressPolicy.builder().deny("127.0.0.0/8").build()).build()) {
            ProbeResult result = strict.runOnce(task(server.target()).build()).toCompletableFuture().join();

            assertThat(result.error().kind()).isEqualTo(ErrorKind.POLICY);
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void aMalformedTargetIsRefusedNamingTheTarget() {
        assertThatThrownBy(() -> engine.runOnce(task("127.0.0.1").build()))
                .isInstanceOfSatisfying(InvalidTaskException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::field).containsExactly("target"));
    }

    private static TaskSpec.Builder task(String target) {
        return TaskSpec.builder("example-echo", target).param("message", "hello").timeout(Duration.ofSeconds(2));
    }

    private ProbeResult run(TaskSpec.Builder task) {
        return engine.runOnce(task.build()).toCompletableFuture().join();
    }
}
