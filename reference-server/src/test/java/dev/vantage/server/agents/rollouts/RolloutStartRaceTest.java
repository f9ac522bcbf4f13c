package dev.vantage.server.agents.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.update.ReleaseKeys;
import dev.vantage.server.TestServer;
import dev.vantage.server.backends.Backends;
import dev.vantage.server.json.JsonMapping;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two "start rollout" requests at the same moment: exactly one starts, the other gets 409, on H2 and on
 * PostgreSQL (the database keeps it: one running rollout, by constraint), round after round.
 */
class RolloutStartRaceTest {
    private static final int ROUNDS = 15;
    private static final byte[] ARTIFACT = "not really a jar".getBytes(StandardCharsets.UTF_8);

    @Test
    void onH2() throws Exception {
        try (TestServer server = TestServer.start()) {
            race(server);
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Backends b = Backends.create(); TestServer server = TestServer.start(b.env(false))) {
            race(server);
        }
    }

    private static void race(TestServer server) throws Exception {
        String admin = server.adminToken();
        for (String name : List.of("race-1", "race-2")) {
            JsonNode token = server.post("/api/v1/agents/enrollment-tokens", admin, "{}").json();
            assertThat(server.post("/api/v1/agents/enroll", null, JsonMapping.write(Map.of("token",
                    token.get("token").asText(), "name", name, "labels", Map.of("race", "yes")))).status()).isEqualTo(201);
        }
        upload(server, admin, "9.9.9");
        String start = JsonMapping.write(Map.of("version", "9.9.9", "selector", Map.of("labels", Map.of("race", "yes"))));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                CyclicBarrier together = new CyclicBarrier(2);
                List<CompletableFuture<TestServer.Response>> calls = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            together.await(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return server.post("/api/v1/agent-rollouts", admin, start);
                    }, pool));
                }
                List<TestServer.Response> answers = calls.stream().map(c -> c.orTimeout(30, TimeUnit.SECONDS).join()).toList();
                assertThat(answers).as("round " + round + ": " + answers.stream().map(a -> a.status() + " " + a.body()).toList()).extracting(TestServer.Response::status)
                        .containsExactlyInAnyOrder(201, 409);
                JsonNode started = answers.stream().filter(a -> a.status() == 201).findFirst().orElseThrow().json();
                JsonNode list = server.get("/api/v1/agent-rollouts", admin).json().get("items");
                assertThat(list.findValuesAsText("state").stream().filter("running"::equals)).hasSize(1);
                assertThat(server.post("/api/v1/agent-rollouts/" + started.get("id").asText() + "/cancel", admin, null)
                        .status()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Uploads a small release {@code version}, signed with a fresh key (agents are not asked to run it here). */
    static void upload(TestServer server, String admin, String version) throws Exception {
        KeyPair key = ReleaseKeys.generate();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ARTIFACT));
        TestServer.Response created = server.post("/api/v1/agent-releases", admin, JsonMapping.write(Map.of("version",
                version, "size", ARTIFACT.length, "sha256", sha, "signature", ReleaseKeys.sign(key.getPrivate(), version, sha))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        TestServer.Response uploaded = server.call("PUT", "/api/v1/agent-releases/" + version + "/artifact?offset=0", admin,
                new String(ARTIFACT, StandardCharsets.UTF_8), Map.of("Content-Type", "application/octet-stream"));
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(200);
    }
}
