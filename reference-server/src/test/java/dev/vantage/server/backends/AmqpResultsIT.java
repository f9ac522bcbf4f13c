package dev.vantage.server.backends;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on PostgreSQL and RabbitMQ: agent results travel through the quorum queue into the database, and poison
 * messages end in the dead-letter queue without blocking the queue.
 */
class AmqpResultsIT {

    @Test
    void resultsGoThroughTheQueueAndPoisonIsDeadLetteredWithoutBlockingIt(@TempDir Path dir) throws Exception {
        try (Backends b = Backends.create()) {
            Map<String, String> env = new HashMap<>(b.env(true));
            env.put("VANTAGE_AGENT_HEARTBEAT", "1s");
            try (TestServer server = TestServer.start(env)) {
                String admin = server.adminToken();
                try (Fleet fleet = Fleet.start(server, admin, 1, dir, List.of(agentSocket(server)))) {
                    String task = fleet.task(server, admin, "amqp-task", "100ms");
                    long t0 = System.nanoTime();
                    Backends.await(Duration.ofSeconds(30), () -> b.count("SELECT count(*) FROM results") >= 50,
                            "50 results stored through the queue");
                    System.out.printf("AMQP results: first 50 stored through %s.results in %.1f s%n", b.prefix,
                            (System.nanoTime() - t0) / 1e9);

                    String good = UUID.randomUUID().toString();
                    long t1 = System.nanoTime();
                    try (Connection c = Backends.amqp(); Channel ch = c.createChannel()) {
                        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
                        ch.basicPublish("", b.prefix + ".results", persistent, "this is not a batch".getBytes(StandardCharsets.UTF_8));
                        // readable, but PostgreSQL refuses a NUL character in text: it fails on every delivery
                        ch.basicPublish("", b.prefix + ".results", persistent, batch(fleet.agentIds.getFirst(),
                                result(UUID.randomUUID().toString(), task, "127.0.0.1:\u00009")));
                        ch.basicPublish("", b.prefix + ".results", persistent, batch(fleet.agentIds.getFirst(),
                                result(good, task, "127.0.0.1:9")));
                    }
                    Backends.await(Duration.ofSeconds(30), () -> b.count("SELECT count(*) FROM results WHERE id = ?", good) == 1,
                            "the message published after the poison to be stored");
                    double goodSeconds = (System.nanoTime() - t1) / 1e9;
                    Backends.await(Duration.ofSeconds(60), () -> b.ready(b.prefix + ".results.dead") == 2,
                            "both poison messages in the dead-letter queue");
                    double deadSeconds = (System.nanoTime() - t1) / 1e9;
                    long before = b.count("SELECT count(*) FROM results");
                    Backends.await(Duration.ofSeconds(10), () -> b.count("SELECT count(*) FROM results") > before + 10,
                            "the agent's results to keep flowing");

                    try (Connection c = Backends.amqp(); Channel ch = c.createChannel()) {
                        GetResponse first = ch.basicGet(b.prefix + ".results.dead", true);
                        GetResponse second = ch.basicGet(b.prefix + ".results.dead", true);
                        GetResponse unreadable = new String(first.getBody(), StandardCharsets.UTF_8).startsWith("this") ? first : second;
                        GetResponse failing = unreadable == first ? second : first;
                        assertThat(new String(unreadable.getBody(), StandardCharsets.UTF_8)).isEqualTo("this is not a batch");
                        assertThat(reason(unreadable)).isEqualTo("rejected");
                        assertThat(reason(failing)).isEqualTo("delivery_limit");
                        assertThat(server.core.registry().get("vantage.queue.messages.requeued").counter().count()).isEqualTo(6);
                        double deliveries = server.core.registry().get("vantage.queue.messages.requeued").counter().count();
                        System.out.printf("AMQP poison: the good message after them stored in %.2f s; both poison messages"
                                + " dead-lettered within %.2f s: unreadable one %s, failing one %s after %.0f failed"
                                + " deliveries (limit 5); %d results stored meanwhile, queue ready %d%n", goodSeconds, deadSeconds,
                                reason(unreadable), reason(failing), deliveries, before, b.ready(b.prefix + ".results"));
                    }
                    assertThat(server.get("/api/v1/tasks/" + task + "/results?limit=1", admin).status()).isEqualTo(200);
                }
            }
        }
    }

    static URI agentSocket(TestServer server) {
        return URI.create("ws://127.0.0.1:" + server.app.port() + "/ws/agent");
    }

    private static String reason(GetResponse r) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> deaths = (List<Map<String, Object>>) r.getProps().getHeaders().get("x-death");
        return String.valueOf(deaths.getFirst().get("reason"));
    }

    private static ProbeResult result(String id, String task, String target) {
        return ProbeResult.builder().id(id).taskId(task).type("tcp").target(target).status(ProbeStatus.SUCCESS)
                .startedAt(Instant.now()).duration(Duration.ofMillis(1)).build();
    }

    private static byte[] batch(String agentId, ProbeResult r) {
        return ("{\"agent\":\"" + agentId + "\",\"results\":[" + ResultJson.toJson(r) + "]}").getBytes(StandardCharsets.UTF_8);
    }
}
