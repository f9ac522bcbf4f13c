package dev.vantage.server.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.engine.Durations;
import dev.vantage.server.TestServer;
import dev.vantage.server.agents.store.AgentPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code /matrix} and {@code /aggregates?by=<label>} on H2 over real HTTP, against a recomputation from the results:
 * agents enrolled with labels written in different ways land in the groups the labels name.
 */
class MatrixTest {
    /** An agent's labels and the groups they must give: province, carrier, country. */
    private record Placed(Map<String, String> labels, String province, String isp, String country) {
    }

    private static final List<Placed> AGENTS = List.of(
            new Placed(Map.of("isp", "电信", "province", "广东省"), "CN-GD", "telecom", "CN"),
            new Placed(Map.of("isp", "ChinaNet", "province", "Guangdong"), "CN-GD", "telecom", "CN"),
            new Placed(Map.of("isp", "CMCC", "city", "北京"), "CN-BJ", "mobile", "CN"),
            new Placed(Map.of("isp", "unicom", "province", "Guangdong", "country", "China"), "CN-GD", "unicom", "CN"),
            new Placed(Map.of("isp", "Cogent", "country", "usa", "region", "us-west"), "other", "cogent", "US"),
            new Placed(Map.of("isp", "Tiny Local ISP"), "unknown", "other", "unknown"));

    @Test
    void cellsAndGroupsEqualARecomputationFromTheResults() {
        try (TestServer server = TestServer.start()) {
            String token = server.adminToken();
            String task = RollupsTest.task(server, token, "matrix");
            Map<String, Placed> byId = new LinkedHashMap<>();
            for (Placed p : AGENTS) {
                byId.put(server.core.agents().create("a" + byId.size(), p.labels(), AgentPolicy.PUBLIC_ONLY).agent().id(), p);
            }
            List<String> ids = new ArrayList<>(byId.keySet());
            ids.add("deleted-agent"); // results of an agent no longer enrolled: no labels, "unknown" everywhere
            RollupCheck data = new RollupCheck(41, task, ids);
            data.deliver(d -> server.core.results().storeBatch(d.agentId(), d.results()));
            Function<String, Placed> placed = id -> byId.getOrDefault(id, new Placed(Map.of(), "unknown", "unknown", "unknown"));

            Instant start = RollupCheck.START;
            Instant end = start.plus(RollupCheck.SPAN);
            assertThat(matrix(server, token, data, placed, start, end)).isEqualTo("1d");
            assertThat(matrix(server, token, data, placed, start.plusSeconds(4_625), end.minusSeconds(7_170))).isEqualTo("1d");
            assertThat(matrix(server, token, data, placed, start.plusSeconds(3_700), start.plusSeconds(11_000))).isEqualTo("1h");
            assertThat(matrix(server, token, data, placed, start.plusSeconds(100), start.plusSeconds(2_000))).isEqualTo("1m");

            byLabel(server, token, data, "isp", id -> placed.apply(id).isp(), start.plusSeconds(4_625), end, Duration.ofHours(6));
            byLabel(server, token, data, "province", id -> placed.apply(id).province(), start, end, Duration.ofDays(1));
            byLabel(server, token, data, "country", id -> placed.apply(id).country(), start, start.plusSeconds(7_300),
                    Duration.ofMinutes(10));
            byLabel(server, token, data, "region", id -> placed.apply(id).labels().getOrDefault("region", "unknown"),
                    start, end, Duration.ofDays(1));

            TestServer.Response bad = server.get("/api/v1/tasks/matrix/aggregates?by=carrier", token);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("errors").findValuesAsText("field")).containsExactly("by");
            TestServer.Response backwards = server.get("/api/v1/tasks/matrix/matrix?from=" + end + "&to=" + start, token);
            assertThat(backwards.status()).isEqualTo(400);
            assertThat(backwards.json().get("errors").findValuesAsText("field")).containsExactly("from");
            assertThat(server.get("/api/v1/tasks/nope/matrix", token).status()).isEqualTo(404);
        }
    }

    /** One window's matrix against the truth; answers the resolution read. */
    private static String matrix(TestServer server, String token, RollupCheck data, Function<String, Placed> placed,
                                 Instant from, Instant to) {
        String path = "/api/v1/tasks/" + data.taskId + "/matrix?from=" + from + "&to=" + to;
        TestServer.Response r = server.get(path, token);
        assertThat(r.status()).as(path + " " + r.body()).isEqualTo(200);
        List<RollupCheck.Sent> window = data.truth.stream()
                .filter(s -> !s.result().startedAt().isBefore(from) && s.result().startedAt().isBefore(to)).toList();
        compare(r.json().get("cells"), window, s -> placed.apply(s.agentId()).province() + " " + placed.apply(s.agentId()).isp(),
                i -> i.get("province").asText() + " " + i.get("isp").asText(), path);
        compare(r.json().get("provinces"), window, s -> placed.apply(s.agentId()).province(), i -> i.get("key").asText(), path);
        compare(r.json().get("carriers"), window, s -> placed.apply(s.agentId()).isp(), i -> i.get("key").asText(), path);
        compare(r.json().get("countries"), window, s -> placed.apply(s.agentId()).country(), i -> i.get("key").asText(), path);
        // in the list's order (north to south), then other, then unknown
        List<String> provinces = new ArrayList<>();
        r.json().get("provinces").forEach(i -> provinces.add(i.get("key").asText()));
        assertThat(provinces).isEqualTo(List.of("CN-BJ", "CN-GD", "other", "unknown").stream().filter(provinces::contains).toList());
        return r.json().get("resolution").asText();
    }

    private static void byLabel(TestServer server, String token, RollupCheck data, String by, Function<String, String> groupOf,
                                Instant from, Instant to, Duration bucket) {
        String path = "/api/v1/tasks/" + data.taskId + "/aggregates?by=" + by + "&from=" + from + "&to=" + to
                + "&bucket=" + Durations.format(bucket);
        TestServer.Response r = server.get(path, token);
        assertThat(r.status()).as(path + " " + r.body()).isEqualTo(200);
        assertThat(r.json().get("by").asText()).isEqualTo(by);
        long size = bucket.toMillis();
        List<RollupCheck.Sent> window = data.truth.stream()
                .filter(s -> !s.result().startedAt().isBefore(from) && s.result().startedAt().isBefore(to)).toList();
        compare(r.json().get("items"), window,
                s -> Instant.ofEpochMilli(Math.floorDiv(s.result().startedAt().toEpochMilli(), size) * size) + " "
                        + groupOf.apply(s.agentId()),
                i -> i.get("start").asText() + " " + i.get("group").asText(), path);
        r.json().get("items").forEach(i -> assertThat(i.get("agentId").isNull()).isTrue());
    }

    /** Every item is the group of results its key names, and every group with results has its item. */
    private static void compare(JsonNode items, List<RollupCheck.Sent> window, Function<RollupCheck.Sent, String> keyOf,
                                Function<JsonNode, String> itemKey, String path) {
        Map<String, List<RollupCheck.Sent>> expected = new TreeMap<>();
        window.forEach(s -> expected.computeIfAbsent(keyOf.apply(s), k -> new ArrayList<>()).add(s));
        List<String> keys = new ArrayList<>();
        items.forEach(i -> keys.add(itemKey.apply(i)));
        assertThat(keys).as(path).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (JsonNode item : items) {
            List<RollupCheck.Sent> group = expected.get(itemKey.apply(item));
            RollupCheck.verify(item, group, path + " " + item);
            if (item.has("agents")) {
                assertThat(item.get("agents").asInt()).as(path + " " + item)
                        .isEqualTo((int) group.stream().map(RollupCheck.Sent::agentId).distinct().count());
            }
        }
    }
}
