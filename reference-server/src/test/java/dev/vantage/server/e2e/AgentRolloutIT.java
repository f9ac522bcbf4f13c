package dev.vantage.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.update.ReleaseKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent self-update with the real jars: three agents under {@code vantage-agent launch} (two in region east, one
 * in west), pinning a release key. A tampered release is refused by the first agent with its reason, and nothing
 * switches; a release that cannot start is rolled back by the launcher, and its rollout halts with the other agents
 * untouched; a good release reaches all of east in waves, and west keeps its version.
 */
class AgentRolloutIT {
    private static final String PASSWORD = "rollout-admin-1";
    private static final Path LOGS = Path.of("target/e2e-logs/agent-rollout");
    /**
     * Seven JVMs start at once on two shared cores: C1 alone (no C2 compiles) spends less CPU starting them. The
     * launcher's children inherit the environment, so restarted agents start the same way.
     */
    private static final Map<String, String> QUICK_START = Map.of("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1");

    @TempDir
    Path dir;

    private Processes.Jvm server;
    private final Map<String, Processes.Jvm> agents = new LinkedHashMap<>();
    private Api api;
    private KeyPair key;

    @AfterEach
    void stopAll() throws Exception {
        for (Processes.Jvm j : agents.values()) {
            j.stop(Duration.ofSeconds(20));
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void aTamperedReleaseIsRefusedABadOneRolledBackAndAGoodOneRolledOutInWaves() throws Exception {
        key = ReleaseKeys.generate();
        Path pub = Files.writeString(dir.resolve("release.pub"), ReleaseKeys.publicPem(key.getPublic()));
        int port = Processes.freePort();
        String base = "http://127.0.0.1:" + port;
        server = Processes.start("server", Processes.SERVER_JAR, dir.resolve("server"), Map.of(
                "SERVER_HOST", "127.0.0.1",
                "SERVER_PORT", Integer.toString(port),
                "VANTAGE_DATA_DIR", dir.resolve("server/data").toString(),
                "VANTAGE_ADMIN_PASSWORD", PASSWORD,
                "VANTAGE_LOCAL_AGENT", "false",
                "VANTAGE_AGENT_HEARTBEAT", "1s",
                "JAVA_TOOL_OPTIONS", QUICK_START.get("JAVA_TOOL_OPTIONS")), LOGS);
        Processes.awaitReady(base, server);
        api = new Api(base).login("admin", PASSWORD);

        String token = api.post("/api/v1/agents/enrollment-tokens", Map.of("uses", 3, "expiresIn", "1h"))
                .body().get("token").asText();
        for (String name : List.of("east-1", "east-2", "west-1")) {
            agents.put(name, Processes.start(name, Processes.AGENT_JAR, dir.resolve(name), QUICK_START, LOGS,
                    "launch", "--health-timeout", "30s", "--data-dir", dir.resolve(name + "/data").toString(),
                    "--server", "ws://127.0.0.1:" + port + "/ws/agent", "--enroll-token", token, "--name", name,
                    "--label", "region=" + name.substring(0, 4), "--release-key", pub.toString()));
        }
        await("three agents online").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .failFast("an agent exited", () -> agents.values().stream().anyMatch(a -> !a.process().isAlive()))
                .until(() -> versions().size() == 3);
        String bundled = versions().get("west-1");
        byte[] jar = Files.readAllBytes(Processes.AGENT_JAR);

        // tampered: the bytes changed after signing. The first agent refuses; nothing is switched anywhere
        byte[] tampered = Arrays.copyOf(jar, jar.length + 1);
        upload("2.0.0-tampered", tampered, ReleaseKeys.sign(key.getPrivate(), "2.0.0-tampered", sha256(jar)));
        JsonNode r1 = rollout("2.0.0-tampered");
        JsonNode failed = r1.get("agents").get(0);
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("reason").asText()).startsWith("refused: its signature does not verify with the pinned"
                + " release key");
        assertThat(r1.get("progress").get("pending").asInt()).isEqualTo(1);
        assertThat(versions().values()).containsOnly(bundled);
        assertThat(dir.resolve(failed.get("name").asText() + "/data/versions/2.0.0-tampered")).doesNotExist();

        // signed, but it cannot start: the launcher rolls it back and the rollout halts; the others never restart
        upload("2.0.1-bad", jarThatExitsAtOnce(), null);
        JsonNode r2 = rollout("2.0.1-bad");
        JsonNode rolledBack = r2.get("agents").get(0);
        String victim = rolledBack.get("name").asText();
        assertThat(rolledBack.get("state").asText()).isEqualTo("rolledBack");
        assertThat(rolledBack.get("reason").asText()).contains("version 2.0.1-bad exited with status 1 before it"
                + " reported healthy");
        assertThat(r2.get("progress").get("pending").asInt()).isEqualTo(1);
        await("the rolled back agent online again").atMost(Duration.ofSeconds(30))
                .until(() -> bundled.equals(versions().get(victim)));
        for (String name : agents.keySet()) {
            int starts = count(agents.get(name).output(), "starting agent version");
            assertThat(starts).as(name).isEqualTo(name.equals(victim) ? 3 : 1); // bundled, bad, bundled again
        }

        // a good release: all of east in waves, west untouched
        upload("2.1.0", jar, null);
        JsonNode r3 = rollout("2.1.0");
        assertThat(r3.get("state").asText()).as(r3.toString()).isEqualTo("completed");
        assertThat(r3.get("progress").get("healthy").asInt()).isEqualTo(2);
        assertThat(r3.get("agents").findValuesAsText("wave")).containsExactly("0", "2"); // one, then the rest
        await("east on 2.1.0").atMost(Duration.ofSeconds(30)).until(() -> {
            Map<String, String> v = versions();
            return "2.1.0".equals(v.get("east-1")) && "2.1.0".equals(v.get("east-2"));
        });
        assertThat(versions().get("west-1")).isEqualTo(bundled);
        assertThat(count(agents.get("west-1").output(), "starting agent version")).isEqualTo(1);
        assertThat(Files.readString(dir.resolve(victim + "/data/versions/current"))).isEqualTo("2.1.0");
        assertThat(dir.resolve(victim + "/data/versions/2.0.1-bad")).as("pruned once 2.1.0 was healthy").doesNotExist();

        // a launcher killed outright (kill -9) takes its agent with it: none is left running unsupervised
        agents.get("west-1").kill();
        await("west-1's agent gone with its launcher").atMost(Duration.ofSeconds(20))
                .until(() -> !versions().containsKey("west-1"));
    }

    /** Announces and uploads a release in 3 MiB parts; signs it properly unless a signature is given. */
    private void upload(String version, byte[] bytes, String signature) throws Exception {
        String sha = sha256(bytes);
        Api.Response created = api.post("/api/v1/agent-releases", Map.of("version", version, "size", bytes.length,
                "sha256", sha, "signature", signature != null ? signature : ReleaseKeys.sign(key.getPrivate(), version, sha)));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        int part = 3 << 20;
        Api.Response r = null;
        for (int off = 0; off < bytes.length; off += part) {
            r = api.putBytes("/api/v1/agent-releases/" + version + "/artifact?offset=" + off,
                    Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + part)));
            assertThat(r.status()).as(r.text()).isEqualTo(200);
        }
        assertThat(r.body().get("ready").asBoolean()).isTrue();
    }

    /** Rolls {@code version} out to region east and waits until it ended. */
    private JsonNode rollout(String version) throws Exception {
        Api.Response r = api.post("/api/v1/agent-rollouts", Map.of("version", version,
                "selector", Map.of("labels", Map.of("region", "east")), "agentTimeout", "60s"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String id = r.body().get("id").asText();
        await("rollout of " + version + " ended").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> !api.get("/api/v1/agent-rollouts/" + id).body().get("state").asText().equals("running"));
        return api.get("/api/v1/agent-rollouts/" + id).body();
    }

    /** Online agents' versions by name. */
    private Map<String, String> versions() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode a : api.get("/api/v1/agents").body()) {
            if (a.get("online").asBoolean() && a.hasNonNull("version")) {
                out.put(a.get("name").asText(), a.get("version").asText());
            }
        }
        return out;
    }

    /** A jar whose main class is missing: {@code java -jar} exits with status 1 at once. */
    private byte[] jarThatExitsAtOnce() throws Exception {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "no.such.Main");
        var bytes = new java.io.ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
            out.finish();
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
