package dev.vantage.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.agent.Main;
import dev.vantage.agent.ProtocolPeer;
import dev.vantage.agent.TcpTarget;
import dev.vantage.agent.protocol.Message;
import dev.vantage.probe.engine.TaskSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vantage-agent run} against the protocol peer: enrollment, a revoked credential, SIGTERM, and no secrets in logs. */
class RunCommandTest {
    private static final String SECRET = "vac_9f8e7d6c5b4a-never-print-me";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private ProtocolPeer peer;
    private TcpTarget target;

    @BeforeEach
    void start() throws Exception {
        peer = new ProtocolPeer("agent-7", SECRET).start();
        peer.enrollToken = "vet_enroll-token-also-secret";
        target = TcpTarget.start();
        peer.welcome = peer.welcome(List.of(TaskSpec.builder("tcp", target.address()).id("t1")
                .interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(100)).build()));
    }

    @AfterEach
    void stop() throws Exception {
        peer.close();
        target.close();
    }

    @Test
    void enrollsRunsAndExitsThreeWithAClearMessageWhenTheCredentialIsRevokedWithoutEverPrintingSecrets() throws Exception {
        Path dataDir = tmp.resolve("data");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        PrintStream capture = new PrintStream(logs, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture); // Logback's console appender writes to whatever System.err is at the time
        int exit;
        try {
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(out, true),
                    new PrintWriter(err, true), "run", "--server", peer.uri().toString(), "--enroll-token", peer.enrollToken,
                    "--label", "region=test", "--name", "cli-agent", "--data-dir", dataDir.toString()));
            await().atMost(WAIT).until(() -> peer.resultsOf("t1") >= 3);
            assertThat(peer.enrollRequests).hasSize(1);
            assertThat(peer.received(Message.Hello.class).get(0).labels()).containsEntry("region", "test");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("agent.json"))))
                    .isEqualTo("rw-------");

            peer.secret = "vac_revoked";
            peer.stop(); // the server drops the revoked agent's connection
            peer.start();
            exit = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String logText = logs.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(err + logText).isEqualTo(3);
        assertThat(err.toString()).contains("HTTP 401").contains("revoked");
        assertThat(peer.refused).as("no retries after a 401").hasValue(1);
        assertThat(logText).contains("agent agent-7 starting").contains("refused this agent's credential");
        for (String text : List.of(logText, out.toString(), err.toString())) {
            assertThat(text).doesNotContain(SECRET).doesNotContain(peer.enrollToken);
        }
    }

    @Test
    void withoutASavedCredentialOrATokenItExitsTwo() {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "run", "--server", peer.uri().toString(), "--data-dir", tmp.resolve("empty").toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("has not enrolled yet").contains("enrollment token");
    }

    @Test
    void withoutAServerItExitsTwoNamingTheOptionAndItsVariable() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("VANTAGE_SERVER") == null, "VANTAGE_SERVER is set here");
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "run", "--data-dir", tmp.resolve("empty").toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--server (or VANTAGE_SERVER) is required");
    }

    @Test
    void takesTheServerAndTheEnrollmentTokenFromTheEnvironment() throws Exception {
        // as containers run it: nothing secret on the command line
        Path log = tmp.resolve("env-agent.log");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--data-dir", tmp.resolve("env-data").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("VANTAGE_SERVER", peer.uri().toString());
        pb.environment().put("VANTAGE_ENROLL_TOKEN", peer.enrollToken);
        Process agent = pb.start();
        try {
            await().atMost(WAIT).until(() -> peer.resultsOf("t1") >= 1);
            assertThat(peer.enrollRequests).hasSize(1);
        } finally {
            agent.destroyForcibly();
            agent.waitFor();
        }
        assertThat(Files.readString(log)).doesNotContain(peer.enrollToken);
    }

    @Test
    void badMetricsOptionsExitTwoNamingTheOption() throws Exception {
        Path blackbox = tmp.resolve("blackbox.yml");
        java.nio.file.Files.writeString(blackbox, "modules:\n  web:\n    prober: http\n    http:\n      valid_http_versions: [HTTP/2]\n");
        for (List<String> args : List.of(
                List.of("--metrics-listen", "0177.0.0.1:9465"),
                List.of("--metrics-listen", "metrics.example:9465"),
                List.of("--blackbox-config", blackbox.toString()),
                List.of("--metrics-listen", "127.0.0.1:0", "--blackbox-config", blackbox.toString()))) {
            StringWriter err = new StringWriter();
            List<String> command = new ArrayList<>(List.of("run", "--server", peer.uri().toString(), "--data-dir",
                    tmp.resolve("never").toString()));
            command.addAll(args);
            int exit = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                    command.toArray(String[]::new));
            assertThat(exit).as(args.toString()).isEqualTo(2);
            assertThat(err.toString()).as(args.toString()).containsAnyOf("--metrics-listen", "--blackbox-config",
                    "modules.web.http.valid_http_versions: not supported");
        }
    }

    @Test
    void sigtermStopsTheAgentGracefully() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path log = tmp.resolve("agent.log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--server", peer.uri().toString(), "--enroll-token", peer.enrollToken,
                "--data-dir", dataDir.toString()));
        Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(WAIT).until(() -> peer.resultsOf("t1") >= 3);
            agent.destroy(); // SIGTERM
            assertThat(agent.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            agent.destroyForcibly();
        }
        String logText = Files.readString(log);
        assertThat(peer.closes).as(logText).containsExactly("1000 agent shutting down");
        assertThat(logText).contains("agent stopped; 0 results stay spooled").doesNotContain(SECRET)
                .doesNotContain(peer.enrollToken);
        try (Stream<Path> files = Files.list(dataDir.resolve("spool"))) {
            assertThat(files).as("every result was flushed, sent and acked before exit").isEmpty();
        }
    }
}
