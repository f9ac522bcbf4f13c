package dev.vantage.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.agent.Main;
import dev.vantage.probe.testkit.TestPluginJar;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code probe} command end to end, against real sockets on loopback, through the shaded set of plugins. */
class ProbeCommandTest {
    private ServerSocket server;
    private Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                    s.getOutputStream().write("SSH-2.0-test\r\n".getBytes());
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void close() throws IOException {
        server.close();
    }

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void printsAReadableSummaryAndExitsZeroOnSuccess() {
        int exit = run("probe", "tcp", "127.0.0.1:" + server.getLocalPort());
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("tcp 127.0.0.1:" + server.getLocalPort() + ": SUCCESS in ")
                .contains("phases:").contains("connect");
    }

    @Test
    void printsOneJsonResultPerLineWithCountAndChecksAssertions() throws IOException {
        int exit = run("probe", "tcp", "127.0.0.1:" + server.getLocalPort(), "--count", "2", "--interval", "10ms",
                "--json", "-p", "expect=SSH-2\\.0", "--assert", "phase.connect lt 1000");
        assertThat(exit).as(err.toString()).isZero();
        String[] lines = out.toString().strip().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines[0]);
        assertThat(first.get("type").asText()).isEqualTo("tcp");
        assertThat(first.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(first.get("phases").has("connect")).isTrue();
        assertThat(first.get("assertions").get(0).get("passed").asBoolean()).isTrue();
    }

    @Test
    void exitsOneWhenTheTargetRefuses() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        int exit = run("probe", "tcp", "127.0.0.1:" + port);
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).contains("FAILURE").contains("REFUSED");
    }

    @Test
    void exitsTwoWithAMessageOnBadInput() {
        assertThat(run("probe", "tcp", "no-port")).isEqualTo(2);
        assertThat(err.toString()).contains("target:");
        err.getBuffer().setLength(0);
        assertThat(run("probe", "nosuch", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("no probe plugin for type 'nosuch'");
        err.getBuffer().setLength(0);
        assertThat(run("probe", "tcp", "127.0.0.1:1", "-p", "bogus=1")).isEqualTo(2);
        assertThat(err.toString()).contains("params.bogus: unknown parameter");
        err.getBuffer().setLength(0);
        assertThat(run("probe", "tcp", "127.0.0.1:1", "--assert", "phase.connect soon 5")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown op 'soon'");
        assertThat(run("probe")).isEqualTo(2);
    }

    @Test
    void loadsPluginJarsFromThePluginsDirectory(@TempDir Path dir) throws IOException {
        Path jar = TestPluginJar.write(dir.resolve("plugins"), "greeting-1.2.jar", "1.2.0");
        String sha256 = HexFormat.of().formatHex(sha256(jar));

        assertThat(run("plugins", "--plugins-dir", dir.resolve("plugins").toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("greeting (Greeting (test plugin), ")
                .contains("  jar: greeting-1.2.jar (greeting-plugin 1.2.0, sha256 " + sha256 + ")")
                .contains("--param salutation=<string> (default hello)")
                .contains("tcp ("); // the class path's plugins stay

        out.getBuffer().setLength(0);
        assertThat(run("probe", "greeting", "world", "-p", "salutation=hi", "--json",
                "--plugins-dir", dir.resolve("plugins").toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"greeting\":\"hi world\"", "\"status\":\"SUCCESS\"");
    }

    @Test
    void refusesAJarThatIsNotAPluginNamingIt(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("plugins/notes.jar"), "not a zip");
        assertThat(run("plugins", "--plugins-dir", dir.resolve("plugins").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--plugins-dir: ").contains("notes.jar: not a readable jar");
    }

    @Test
    void allowAndDenyKeepTheProbeAwayFromRangesBeforeItConnects() {
        String target = "127.0.0.1:" + server.getLocalPort();
        assertThat(run("probe", "tcp", target, "--deny", "10.0.0.0/8,127.0.0.0/8")).isEqualTo(2);
        assertThat(out.toString()).contains("ERROR").contains("POLICY").contains("denied range 127.0.0.0/8");
        out.getBuffer().setLength(0);
        assertThat(run("probe", "tcp", target, "--allow", "192.0.2.0/24")).isEqualTo(2);
        assertThat(out.toString()).contains("POLICY").contains("outside the allowed ranges");
        out.getBuffer().setLength(0);
        assertThat(run("probe", "tcp", target, "--allow", "127.0.0.1/32", "--deny", "169.254.0.0/16"))
                .as(out.toString()).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(accepted).as("only the allowed run connected").hasValue(1));
    }

    @Test
    void aPolicyFileCombinesWithTheOptionsAndIsCheckedStrictly(@TempDir Path dir) throws IOException {
        String target = "127.0.0.1:" + server.getLocalPort();
        Path file = dir.resolve("policy.json");
        Files.writeString(file, "{\"allow\":[\"127.0.0.0/8\"],\"denyPorts\":[{\"range\":\"127.0.0.1/32\",\"from\":"
                + server.getLocalPort() + ",\"to\":" + server.getLocalPort() + "}]}");
        assertThat(run("probe", "tcp", target, "--policy", file.toString())).isEqualTo(2);
        assertThat(out.toString()).contains("POLICY").contains("port " + server.getLocalPort() + " is denied");

        Files.writeString(file, "{\"allow\":[\"127.0.0.0/8\"]}");
        assertThat(run("probe", "tcp", target, "--policy", file.toString())).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(accepted).hasValue(1));
        assertThat(run("probe", "tcp", target, "--policy", file.toString(), "--deny", "127.0.0.1")).isEqualTo(2);
        assertThat(accepted).hasValue(1);

        Files.writeString(file, "{\"denny\":[\"127.0.0.0/8\"]}");
        assertThat(run("probe", "tcp", target, "--policy", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--policy " + file).contains("policy.denny is not a policy field");
        err.getBuffer().setLength(0);
        Files.writeString(file, "{\"deny\":[\"0177.0.0.0/8\"]}");
        assertThat(run("probe", "tcp", target, "--policy", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--policy " + file).contains("0177.0.0.0/8");
        err.getBuffer().setLength(0);
        assertThat(run("probe", "tcp", target, "--deny", "127.0.0.300/8")).isEqualTo(2);
        assertThat(err.toString()).contains("--deny '127.0.0.300/8'");
        assertThat(run("probe", "tcp", target, "--policy", dir.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot read");
        assertThat(accepted).as("no refused run connected").hasValue(1);
    }

    @Test
    void listsEveryBundledPlugin() {
        assertThat(run("plugins")).isZero();
        assertThat(out.toString()).contains("icmp (").contains("tcp (").contains("udp (").contains("http (")
                .contains("--param count=<integer>");
    }

    private static byte[] sha256(Path file) throws IOException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
