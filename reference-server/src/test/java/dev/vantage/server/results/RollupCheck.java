package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.TestServer;
import dev.vantage.server.results.rollups.Rollup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;

/**
 * Seeded random results for the rollup tests, the deliveries that bring them to a server (in batches, some late, some
 * twice), and the check that {@code /aggregates} answers what a recomputation from the results themselves gives:
 * counts, availability, minimum, maximum and loss exactly, percentiles within the sketches' relative accuracy of the
 * value at rank {@code floor(q * (n - 1))}.
 */
final class RollupCheck {
    static final Instant START = Instant.parse("2025-03-10T00:00:00Z");
    static final Duration SPAN = Duration.ofDays(3);

    /** A result as the agent sent it. */
    record Sent(String agentId, ProbeResult result) {
        double latencyMs() {
            return Durations.toMillis(result.duration());
        }
    }

    /** One storeBatch call. */
    record Delivery(String agentId, List<ProbeResult> results) {
    }

    final String taskId;
    final List<String> agents;
    /** Every distinct result, once. */
    final List<Sent> truth = new ArrayList<>();
    /** What reaches the server: every result at least once, in batches; late and repeated ones among them. */
    final List<Delivery> deliveries = new ArrayList<>();

    RollupCheck(long seed, String taskId, List<String> agents) {
        this.taskId = taskId;
        this.agents = agents;
        Random random = new Random(seed);
        List<Delivery> onTime = new ArrayList<>();
        List<Delivery> late = new ArrayList<>();
        for (String agent : agents) {
            List<ProbeResult> batch = new ArrayList<>();
            Instant t = START;
            while (t.isBefore(START.plus(SPAN))) {
                if (random.nextInt(200) == 0) {
                    t = t.plus(Duration.ofMinutes(30 + random.nextInt(240))); // a gap: the agent was away
                    continue;
                }
                ProbeResult r = result(random, t);
                truth.add(new Sent(agent, r));
                batch.add(r);
                if (batch.size() >= 1 + random.nextInt(40) || random.nextInt(100) == 0) {
                    Delivery d = new Delivery(agent, List.copyOf(batch));
                    (random.nextInt(10) == 0 ? late : onTime).add(d); // a tenth arrive after everything else
                    if (random.nextInt(20) == 0) {
                        late.add(d); // resent after a reconnect: every result a duplicate
                    }
                    batch.clear();
                }
                t = t.plusMillis(20_000 + random.nextInt(100_000));
            }
            if (!batch.isEmpty()) {
                onTime.add(new Delivery(agent, List.copyOf(batch)));
            }
        }
        // a few results repeated inside other batches of the same agent
        for (int i = 0; i < 30; i++) {
            Delivery d = onTime.get(random.nextInt(onTime.size()));
            Sent again = truth.get(random.nextInt(truth.size()));
            if (again.agentId().equals(d.agentId())) {
                List<ProbeResult> more = new ArrayList<>(d.results());
                more.add(again.result());
                onTime.set(onTime.indexOf(d), new Delivery(d.agentId(), more));
            }
        }
        Collections.shuffle(late, random);
        deliveries.addAll(onTime);
        deliveries.addAll(late);
    }

    private ProbeResult result(Random random, Instant t) {
        int roll = random.nextInt(100);
        ProbeStatus status = roll < 85 ? ProbeStatus.SUCCESS : roll < 92 ? ProbeStatus.TIMEOUT
                : roll < 98 ? ProbeStatus.FAILURE : ProbeStatus.ERROR;
        double ms = Math.exp(1.5 + random.nextGaussian()); // log-normal, a few ms with a long tail
        ProbeResult.Builder b = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(taskId).type("tcp")
                .target("127.0.0.1:80").status(status).startedAt(t.plusNanos(random.nextInt(1_000_000_000)))
                .duration(Duration.ofNanos((long) (ms * 1_000_000)))
                .phase("connect", Duration.ofNanos((long) (ms * 600_000)));
        switch (status) {
            case TIMEOUT -> b.error(ErrorKind.TIMEOUT, "no answer");
            case FAILURE -> b.error(ErrorKind.REFUSED, "refused");
            case ERROR -> b.error(ErrorKind.INTERNAL, "bug");
            default -> {
            }
        }
        if (random.nextInt(3) == 0) {
            b.measurement("lossPercent", random.nextInt(5) * 25);
        }
        return b.build();
    }

    /** Delivers every batch through {@code store}. */
    void deliver(Consumer<Delivery> store) {
        deliveries.forEach(store);
    }

    /** Asks {@code server} for one window and compares with the truth; answers the resolution it read. */
    String check(TestServer server, String token, Instant from, Instant to, Duration bucket, String agent, boolean byAgent) {
        String path = "/api/v1/tasks/" + taskId + "/aggregates?from=" + from + "&to=" + to + "&bucket="
                + Durations.format(bucket) + "&by=" + (byAgent ? "agent" : "all") + (agent == null ? "" : "&agent=" + agent);
        TestServer.Response r = server.get(path, token);
        assertThat(r.status()).as(path + " " + r.body()).isEqualTo(200);
        Map<String, List<Sent>> expected = new TreeMap<>();
        long size = bucket.toMillis();
        for (Sent s : truth) {
            Instant at = s.result().startedAt();
            if (!at.isBefore(from) && at.isBefore(to) && (agent == null || agent.equals(s.agentId()))) {
                long start = Math.floorDiv(at.toEpochMilli(), size) * size;
                String key = Instant.ofEpochMilli(start) + " " + (byAgent ? s.agentId() : "null");
                expected.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            }
        }
        JsonNode items = r.json().get("items");
        List<String> keys = new ArrayList<>();
        items.forEach(i -> keys.add(i.get("start").asText() + " " + (i.get("agentId").isNull() ? "null" : i.get("agentId").asText())));
        assertThat(keys).as(path).containsExactlyElementsOf(expected.keySet());
        for (JsonNode item : items) {
            List<Sent> group = expected.get(item.get("start").asText() + " "
                    + (item.get("agentId").isNull() ? "null" : item.get("agentId").asText()));
            verify(item, group, path + " bucket " + item);
        }
        return r.json().get("resolution").asText();
    }

    /**
     * An answer's item against the results it should hold: count, availability, min, max and loss exactly,
     * percentiles within the sketches' accuracy of the value at rank {@code floor(q * (n - 1))}. Min and max are
     * checked where the item has them.
     */
    static void verify(JsonNode item, List<Sent> group, String what) {
        double[] ok = group.stream().filter(s -> s.result().status() == ProbeStatus.SUCCESS)
                .mapToDouble(Sent::latencyMs).sorted().toArray();
        double[] loss = group.stream().map(s -> s.result().measurements().get("lossPercent"))
                .filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
        assertThat(item.get("count").asLong()).as(what).isEqualTo(group.size());
        assertThat(item.get("availability").asDouble()).as(what).isCloseTo(100.0 * ok.length / group.size(), Offset.offset(1e-9));
        if (ok.length == 0) {
            assertThat(item.get("p50").isNull() && !item.path("min").isNumber() && !item.path("max").isNumber()).as(what).isTrue();
        } else {
            if (item.has("min")) {
                assertThat(item.get("min").asDouble()).as(what).isEqualTo(ok[0]);
                assertThat(item.get("max").asDouble()).as(what).isEqualTo(ok[ok.length - 1]);
            }
            for (String p : List.of("p50", "p95", "p99")) {
                double q = Integer.parseInt(p.substring(1)) / 100.0;
                double exact = ok[(int) Math.floor(q * (ok.length - 1))];
                assertThat(item.get(p).asDouble()).as(what + " " + p)
                        .isCloseTo(exact, Percentage.withPercentage(100 * Rollup.RELATIVE_ACCURACY + 1e-6));
            }
        }
        if (loss.length == 0) {
            assertThat(item.get("lossPercentAvg").isNull()).as(what).isTrue();
        } else {
            assertThat(item.get("lossPercentAvg").asDouble()).as(what)
                    .isCloseTo(java.util.Arrays.stream(loss).average().orElseThrow(), Offset.offset(1e-6));
        }
    }

    /**
     * Fixed windows that need each resolution, and random ones (unaligned, every bucket size, per agent or merged,
     * one agent or all).
     */
    void checkAll(TestServer server, String token, long seed) {
        assertThat(server.core.database().queryOne("SELECT count(*) FROM results WHERE task_id = ?",
                rs -> rs.getLong(1), taskId).orElseThrow()).as("each result stored once").isEqualTo(truth.size());
        Instant end = START.plus(SPAN);
        assertThat(check(server, token, START, end, Duration.ofDays(1), null, true)).isEqualTo("1d");
        assertThat(check(server, token, START.minusSeconds(86_387), end.plusSeconds(3_333), Duration.ofDays(1), null, false))
                .isEqualTo("1d");
        assertThat(check(server, token, START.plusSeconds(4_625), end.minusSeconds(7_170), Duration.ofHours(1), null, false))
                .isEqualTo("1h");
        assertThat(check(server, token, START.plusSeconds(40_000), START.plusSeconds(61_700), Duration.ofMinutes(5),
                agents.get(1), true)).isEqualTo("1m");
        assertThat(check(server, token, START.plusSeconds(7_000), START.plusSeconds(14_000), Duration.ofSeconds(30),
                null, true)).isEqualTo("raw");
        Random random = new Random(seed);
        List<Duration> buckets = List.of(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1),
                Duration.ofHours(6), Duration.ofDays(1), Duration.ofSeconds(45));
        for (int i = 0; i < 12; i++) {
            Duration bucket = buckets.get(random.nextInt(buckets.size()));
            long spanMs = SPAN.toMillis() + 7_200_000;
            Instant from = START.minusSeconds(3_600).plusMillis((long) (random.nextDouble() * spanMs));
            long most = bucket.compareTo(Duration.ofMinutes(1)) < 0 ? 3 * 3_600_000L : spanMs;
            Instant to = from.plusMillis(1 + (long) (random.nextDouble() * most));
            check(server, token, from, to, bucket, random.nextBoolean() ? null : agents.get(random.nextInt(agents.size())),
                    random.nextBoolean());
        }
    }
}
