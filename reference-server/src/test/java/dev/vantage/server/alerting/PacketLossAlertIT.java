package dev.vantage.server.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.testkit.Netns;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real packet loss, end to end: the server's local agent pings an address inside a network namespace of the test's
 * own, where nftables drops 20 % of the echo requests at random; a 5 % packet-loss rule (Wilson, 99 %) must fire
 * once, with one signed webhook, within its window, and resolve once when the drop rule goes. Root only (namespaces,
 * veth, nft): skipped with the reason elsewhere.
 *
 * <pre>
 *  host  vpl-XXXX 10.205.N.1/30  ----  vn0 10.205.N.2/30  namespace (nft: 1 in 5 echo requests dropped)
 * </pre>
 */
@Timeout(value = 50, unit = TimeUnit.SECONDS)
class PacketLossAlertIT {
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Duration RESOLVE_AFTER = Duration.ofSeconds(1);
    private static Netns ns;
    private static String target;

    @BeforeAll
    static void createNetwork() throws Exception {
        Netns.assumeAvailable("nft");
        int n = ThreadLocalRandom.current().nextInt(256); // another run's /30 on the host must not be ours
        String hostIf = "vpl-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        target = "10.205." + n + ".2";
        ns = Netns.create("vpl");
        Netns.run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "vn0", "netns", ns.name());
        Netns.run("ip", "addr", "add", "10.205." + n + ".1/30", "dev", hostIf);
        Netns.run("ip", "link", "set", hostIf, "up");
        ns.exec("ip", "addr", "add", target + "/30", "dev", "vn0");
        ns.exec("ip", "link", "set", "vn0", "up");
        // the probes must go into the namespace and nowhere else
        assertThat(Netns.run("ip", "route", "get", target)).contains("dev " + hostIf + " ");
        ns.exec("nft", "add", "table", "inet", "loss");
        ns.exec("nft", "add", "chain", "inet", "loss", "in", "{ type filter hook input priority 0; }");
        ns.exec("nft", "add", "rule", "inet", "loss", "in", "ip", "daddr", target,
                "icmp", "type", "echo-request", "numgen", "random", "mod", "5", "0", "counter", "drop");
    }

    /** Runs even when the set-up failed half way; the host's veth end goes with the namespace. */
    @AfterAll
    static void deleteNetwork() throws Exception {
        if (ns != null) {
            ns.close();
            ns = null;
        }
    }

    @Test
    void twentyPercentLossFiresOnceWithinTheWindowAndResolvesOnceTheDropsStop() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver();
             TestServer server = TestServer.start(Map.of("VANTAGE_LOCAL_AGENT", "true", "VANTAGE_AGENT_HEARTBEAT", "1s",
                     "VANTAGE_NOTIFY_ALLOW_LOOPBACK", "true"))) {
            String admin = server.adminToken();
            // the local agent may probe loopback only; open exactly the namespace's address to it
            JsonNode agents = server.get("/api/v1/agents", admin).json();
            assertThat(agents).as("only the local agent").hasSize(1);
            String agentId = agents.get(0).get("id").asText();
            TestServer.Response policy = server.call("PUT", "/api/v1/agents/" + agentId + "/policy", admin,
                    JsonMapping.write(Map.of("allowPrivate", true, "allow", List.of(target + "/32"))));
            assertThat(policy.status()).as(policy.body()).isEqualTo(200);
            String channelId = server.post("/api/v1/channels", admin, JsonMapping.write(Map.of("name", "hook",
                    "type", "webhook", "settings", Map.of("url", receiver.url(), "secret", WebhookReceiver.SECRET))))
                    .json().get("id").asText();
            TestServer.Response rule = server.post("/api/v1/alert-rules", admin, JsonMapping.write(Map.of(
                    "name", "loss", "tasks", Map.of("task", "ping"), "channels", List.of(channelId),
                    "condition", Map.of("type", "packetLoss", "maxPercent", 5, "window", WINDOW.toSeconds() + "s",
                            "confidence", 0.99),
                    "resolveAfter", RESOLVE_AFTER.toSeconds() + "s")));
            assertThat(rule.status()).as(rule.body()).isEqualTo(201);
            // 50 packets a second: a window holds enough of them to tell 20 % from 5 % both ways
            TestServer.Response task = server.post("/api/v1/tasks", admin, JsonMapping.write(Map.of("id", "ping",
                    "type", "icmp", "target", target, "interval", "1s", "timeout", "900ms",
                    "params", Map.of("count", 50, "interval", "5ms"),
                    "selector", Map.of("labels", Map.of("region", "local")))));
            assertThat(task.status()).as(task.body()).isEqualTo(201);

            await("a firing notification within the rule's window").atMost(WINDOW).until(() -> receiver.kinds().contains("firing"));
            JsonNode incidents = server.get("/api/v1/incidents", admin).json().get("items");
            assertThat(incidents).hasSize(1);
            String path = "/api/v1/incidents/" + incidents.get(0).get("id").asText();
            JsonNode firing = server.get(path, admin).json().get("timeline").get(0);
            assertThat(firing.get("kind").asText()).isEqualTo("firing");
            assertThat(firing.get("summary").asText()).contains("loss", "99% interval", "(rule: above 5%)");
            assertThat(droppedByTheFirewall()).as("echo requests nft dropped").isPositive();

            ns.exec("nft", "delete", "table", "inet", "loss");
            // the lossy results leave the window, then the rule waits resolveAfter
            JsonNode resolved = await("the incident resolved").atMost(WINDOW.plus(RESOLVE_AFTER).plusSeconds(10))
                    .until(() -> server.get(path, admin).json(), i -> i.get("state").asText().equals("resolved"));
            assertThat(resolved.get("timeline").findValuesAsText("kind")).containsExactly("firing", "resolved");
            await("a resolution notification").atMost(Duration.ofSeconds(5))
                    .until(() -> receiver.kinds().contains("resolved"));
            assertThat(receiver.kinds()).containsExactly("firing", "resolved");
            assertThat(receiver.refused).isEmpty();
            assertThat(server.get("/api/v1/incidents", admin).json().get("items")).hasSize(1);
        }
    }

    private static long droppedByTheFirewall() throws Exception {
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(ns.exec("nft", "list", "table", "inet", "loss"));
        assertThat(m.find()).as("nft counter").isTrue();
        return Long.parseLong(m.group(1));
    }
}
