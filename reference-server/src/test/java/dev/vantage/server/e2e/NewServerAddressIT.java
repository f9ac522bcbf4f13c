package dev.vantage.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.testkit.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interface address the server's host gains while it runs (a bridge, a VPN) is refused to its agents within the
 * 5-second refresh, without a restart. The server jar runs in a network namespace of the test's own, reached over a
 * veth pair; the address is added inside that namespace, so nothing leaves it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NewServerAddressIT {
    private static final String PASSWORD = "netns-admin-password";
    private static final Duration REFRESH = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void anAddressAddedLaterIsRefusedWithinTheRefreshPeriod() throws Exception {
        Netns.assumeAvailable();
        int n = ThreadLocalRandom.current().nextInt(256);
        String hostIf = "vsa-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        String serverIp = "10.206." + n + ".2";
        String added = "10.207." + n + ".1"; // inside the namespace only
        try (Netns ns = Netns.create("vsa")) {
            Netns.run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "vn0", "netns", ns.name());
            Netns.run("ip", "addr", "add", "10.206." + n + ".1/30", "dev", hostIf);
            Netns.run("ip", "link", "set", hostIf, "up");
            ns.exec("ip", "addr", "add", serverIp + "/30", "dev", "vn0");
            ns.exec("ip", "link", "set", "vn0", "up");
            assertThat(Netns.run("ip", "route", "get", serverIp)).contains("dev " + hostIf + " ");

            // all of the namespace (its own loopback for the local agent, the veth end for this test)
            Processes.Jvm server = Processes.startInNetns(ns.name(), "server", Processes.SERVER_JAR, dir,
                    Map.of("SERVER_HOST", "0.0.0.0", "SERVER_PORT", "8080", "VANTAGE_ADMIN_PASSWORD", PASSWORD,
                            "VANTAGE_DATA_DIR", dir.resolve("data").toString(), "VANTAGE_LOCAL_AGENT", "true",
                            "VANTAGE_AGENT_HEARTBEAT", "1s"),
                    dir.resolve("logs"));
            try {
                String base = "http://" + serverIp + ":8080";
                Processes.awaitReady(base, server);
                Api api = new Api(base).login("admin", PASSWORD);
                JsonNode local = await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/agents").body(),
                        a -> a.size() == 1 && a.get(0).get("online").asBoolean()).get(0);
                String agent = local.get("id").asText();
                // private ranges allowed, so that only "the server's own address" can refuse the new one
                assertThat(api.put("/api/v1/agents/" + agent + "/policy", Map.of("allowPrivate", true)).status())
                        .isEqualTo(200);
                Map<String, Object> task = Map.of("type", "tcp", "target", added + ":9", "interval", "1m",
                        "enabled", false, "selector", Map.of("agent", agent));
                Api.Response before = api.post("/api/v1/tasks", task);
                assertThat(before.status()).as("not the server's yet: " + before.text()).isEqualTo(201);
                assertThat(api.post("/api/v1/tasks", Map.of("type", "tcp", "target", serverIp + ":9",
                        "interval", "1m", "enabled", false, "selector", Map.of("agent", agent))).status())
                        .as("the address it started with").isEqualTo(400);

                ns.exec("ip", "addr", "add", added + "/32", "dev", "vn0");
                long addedAt = System.nanoTime();
                Api.Response refused = await().atMost(REFRESH.plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                        .until(() -> api.post("/api/v1/tasks", task), r -> r.status() == 400);
                Duration took = Duration.ofNanos(System.nanoTime() - addedAt);
                assertThat(refused.body().get("errors").findValuesAsText("field")).contains("target");
                assertThat(refused.text()).contains(added);
                assertThat(took).as("within the refresh period (and a request's time)")
                        .isLessThan(REFRESH.plusSeconds(2));

                // and the agent itself got the new policy: an instant test towards it is a POLICY error
                Api.Response instant = api.post("/api/v1/instant-tests", Map.of("type", "tcp", "target", added + ":9",
                        "selector", Map.of("agent", agent)));
                assertThat(instant.status()).as(instant.text()).isEqualTo(201);
                String path = "/api/v1/instant-tests/" + instant.body().get("id").asText();
                JsonNode result = await().atMost(Duration.ofSeconds(20)).until(() -> api.get(path).body(),
                        t -> t.get("complete").asBoolean()).get("agents").get(0).get("result");
                assertThat(result.get("error").get("kind").asText()).as(result.toString()).isEqualTo("POLICY");
                assertThat(result.get("error").get("message").asText()).contains(added);
            } finally {
                server.stop(Duration.ofSeconds(10));
            }
        }
    }
}
