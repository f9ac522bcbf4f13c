package dev.vantage.agent.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Message.UpdateStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of an update against a real HTTP server on loopback serving the artifacts: what is refused (and
 * why), and what a verified release leads to.
 */
class UpdaterTest {
    private static final String AUTHORIZATION = "Bearer agent-1.secret";
    private static final byte[] JAR = "pretend this is vantage-agent.jar".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private final KeyPair key = ReleaseKeys.generate();
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Message> reports = new LinkedBlockingQueue<>();
    private final AtomicInteger switches = new AtomicInteger();
    private HttpServer http;

    @BeforeEach
    void serve() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/ws/agent/releases/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath().substring("/ws/agent/releases/".length()));
            boolean allowed = AUTHORIZATION.equals(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(!allowed ? 401 : body == null ? 404 : 200, body == null || !allowed ? -1 : body.length);
            if (allowed && body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        http.start();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    @Test
    void aVerifiedReleaseIsInstalledAsTheTrialAndTheAgentSwitches() throws Exception {
        served.put("2.0.0", JAR);
        Versions versions = new Versions(dir);
        Updater updater = updater(launched(), key);

        assertThat(updater.apply(order("2.0.0", JAR, JAR))).containsExactly(status("2.0.0", UpdateStatus.DOWNLOADING, null));
        assertThat(next()).isEqualTo(status("2.0.0", UpdateStatus.SWITCHING, null));
        await("the switch, right after the report").atMost(Duration.ofSeconds(5)).until(() -> switches.get() == 1);
        assertThat(versions.trial()).hasValue("2.0.0");
        assertThat(Files.readAllBytes(versions.jar("2.0.0"))).isEqualTo(JAR);
    }

    @Test
    void tamperedOversizedOrForeignArtifactsAreRefusedWithTheReasonAndNothingSwitches() throws Exception {
        byte[] tampered = JAR.clone();
        tampered[0] ^= 1;
        served.put("2.0.1", tampered);
        Updater updater = updater(launched(), key);

        // signed for the original bytes, served changed: the checksum the server announces does not help it
        updater.apply(order("2.0.1", tampered, JAR));
        assertThat(next().reason()).startsWith("refused: its signature does not verify with the pinned release key");

        // the server announces the original checksum, but serves other bytes
        served.put("2.0.4", tampered);
        updater.apply(new Message.Update("2.0.4", tampered.length, sha256(JAR), sign("2.0.4", JAR)));
        assertThat(next().reason()).startsWith("refused: its SHA-256 " + sha256(tampered) + " is not the " + sha256(JAR));

        served.put("2.0.2", new byte[JAR.length + 10]);
        updater.apply(order("2.0.2", JAR, JAR));
        assertThat(next().reason()).isEqualTo("refused: it is larger than the " + JAR.length + " bytes the server announced");

        // another key signed it
        served.put("2.0.3", JAR);
        KeyPair other = ReleaseKeys.generate();
        updater.apply(new Message.Update("2.0.3", JAR.length, sha256(JAR), ReleaseKeys.sign(other.getPrivate(), "2.0.3", sha256(JAR))));
        assertThat(next().state()).isEqualTo(UpdateStatus.FAILED);

        assertThat(switches.get()).isZero();
        assertThat(new Versions(dir).trial()).isEmpty();
        try (var left = Files.list(dir.resolve("versions"))) {
            assertThat(left.toList()).as("no download left behind").isEmpty();
        }
    }

    @Test
    void ordersAreRefusedAtOnceWhenTheAgentCannotOrMustNotSwitch() {
        Message.Update order = order("2.0.0", JAR, JAR);
        assertThat(((UpdateStatus) updater(null, key).apply(order).getFirst()).reason()).contains("not started by 'vantage-agent launch'");
        assertThat(((UpdateStatus) updater(launched(), null).apply(order).getFirst()).reason()).startsWith("no release key is pinned");
        Updater afterRollback = updater(new Versions.Launch(null, false, "2.0.0", "exited"), key);
        assertThat(((UpdateStatus) afterRollback.apply(order).getFirst()).reason()).contains("was just rolled back on this agent");
        assertThat(((UpdateStatus) updater(launched(), key).apply(new Message.Update("../../etc", 1, sha256(JAR), "x"))
                .getFirst()).reason())
                .isEqualTo("version '../../etc' is not a release version");
        Updater running = updater(new Versions.Launch("2.0.0", false, null, null), key);
        assertThat(running.apply(order)).as("already there").containsExactly(status("2.0.0", UpdateStatus.HEALTHY, null));
    }

    @Test
    void aTrialVersionIsHealthyOnceWelcomedAndARollbackIsReportedOnce() throws Exception {
        Versions versions = new Versions(dir);
        versions.install("2.0.0", Files.write(dir.resolve("x.jar"), JAR));
        Updater trial = updater(new Versions.Launch("2.0.0", true, "1.9.0", "exited with status 1"), key);
        assertThat(trial.welcomed()).containsExactly(status("1.9.0", UpdateStatus.ROLLED_BACK, "exited with status 1"),
                status("2.0.0", UpdateStatus.HEALTHY, null));
        assertThat(versions.healthy("2.0.0")).isTrue();
        assertThat(trial.welcomed()).as("a reconnect").isEmpty();
    }

    private Updater updater(Versions.Launch launch, KeyPair pinned) {
        try {
            return new Updater(new Versions(dir), launch, pinned == null ? null : pinned.getPublic(),
                    () -> URI.create("ws://127.0.0.1:" + http.getAddress().getPort() + "/ws/agent"), AUTHORIZATION,
                    SSLContext.getDefault(), reports::add, switches::incrementAndGet);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Versions.Launch launched() {
        return new Versions.Launch(null, false, null, null);
    }

    /** An order announcing {@code announced}'s size and checksum, signed over {@code signed}. */
    private Message.Update order(String version, byte[] announced, byte[] signed) {
        return new Message.Update(version, announced.length, sha256(announced), sign(version, signed));
    }

    private String sign(String version, byte[] bytes) {
        return ReleaseKeys.sign(key.getPrivate(), version, sha256(bytes));
    }

    private UpdateStatus next() throws InterruptedException {
        Message m = reports.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a report").isNotNull();
        return (UpdateStatus) m;
    }

    private static UpdateStatus status(String version, String state, String reason) {
        return new UpdateStatus(version, state, reason);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
