package dev.vantage.server.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.security.Role;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TasksApiTest {
    static TestServer server;
    static String operator;
    static String viewer;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        operator = server.sessionToken(server.createUser("ops", Role.OPERATOR));
        viewer = server.sessionToken(server.createUser("looker", Role.VIEWER));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Response create(String body) {
        return server.post("/api/v1/tasks", operator, body);
    }

    private static List<String> fields(TestServer.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asText()).isEqualTo("urn:vantage:problem:invalid-request");
        return r.json().get("errors").findValuesAsText("field");
    }

    @Test
    void createReadListUpdateDelete() {
        TestServer.Response created = create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:5432\",\"interval\":\"30s\",\"labels\":{\"team\":\"db\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode task = created.json();
        String id = task.get("id").asText();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(created.headers().firstValue("location")).contains("/api/v1/tasks/" + id);
        assertThat(task.get("revision").asLong()).isEqualTo(1);
        assertThat(task.get("selector").toString()).isEqualTo("{\"all\":true}");
        assertThat(task.get("enabled").asBoolean()).isTrue();
        assertThat(task.get("name").asText()).isEqualTo(id);

        assertThat(server.get("/api/v1/tasks/" + id, viewer).json().get("target").asText()).isEqualTo("127.0.0.1:5432");

        ObjectNode changed = (ObjectNode) task.deepCopy();
        changed.put("interval", "1m").put("name", "database port");
        changed.putObject("selector").putObject("labels").put("region", "beijing");
        TestServer.Response updated = server.call("PUT", "/api/v1/tasks/" + id, operator, changed.toString());
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().get("revision").asLong()).isEqualTo(2);
        assertThat(updated.json().get("interval").asText()).isEqualTo("1m");
        assertThat(updated.json().get("selector").get("labels").get("region").asText()).isEqualTo("beijing");

        // sending back an old revision is a conflict, not a silent overwrite
        assertThat(server.call("PUT", "/api/v1/tasks/" + id, operator, changed.toString()).status()).isEqualTo(409);

        TestServer.Response disabled = server.post("/api/v1/tasks/" + id + "/disable", operator, null);
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
        assertThat(disabled.json().get("revision").asLong()).isEqualTo(3);
        assertThat(server.post("/api/v1/tasks/" + id + "/enable", operator, null).json().get("enabled").asBoolean()).isTrue();

        assertThat(server.call("DELETE", "/api/v1/tasks/" + id, operator, null).status()).isEqualTo(204);
        assertThat(server.get("/api/v1/tasks/" + id, viewer).status()).isEqualTo(404);
        assertThat(server.call("DELETE", "/api/v1/tasks/" + id, operator, null).status()).isEqualTo(404);
    }

    @Test
    void aGivenIdIsKeptAndCannotBeTakenTwice() {
        String body = "{\"id\":\"web-home\",\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"10s\"}";
        assertThat(create(body).json().get("id").asText()).isEqualTo("web-home");
        assertThat(create(body).status()).isEqualTo(409);
        TestServer.Response mismatch = server.call("PUT", "/api/v1/tasks/web-home", operator,
                "{\"id\":\"other\",\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"10s\"}");
        assertThat(fields(mismatch)).containsExactly("id");
    }

    @Test
    void listPages() {
        for (int i = 0; i < 3; i++) {
            create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:" + (1000 + i) + "\",\"interval\":\"10s\"}");
        }
        JsonNode page = server.get("/api/v1/tasks?limit=2&offset=1", viewer).json();
        assertThat(page.get("items")).hasSize(2);
        assertThat(page.get("total").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(page.get("limit").asInt()).isEqualTo(2);
        assertThat(page.get("offset").asInt()).isEqualTo(1);
        assertThat(fields(server.get("/api/v1/tasks?limit=0&offset=-1", viewer))).containsExactly("limit", "offset");
    }

    @Test
    void aNameOverTheColumnWidthIsA400OnCreateAndUpdate() {
        String longName = "n".repeat(257);
        TestServer.Response r = create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:81\",\"interval\":\"10s\",\"name\":\"" + longName + "\"}");
        assertThat(fields(r)).containsExactly("name");
        assertThat(r.json().get("errors").get(0).get("message").asText()).contains("256");
        String id = create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:81\",\"interval\":\"10s\",\"name\":\"" + "n".repeat(256) + "\"}")
                .json().get("id").asText();
        assertThat(fields(server.call("PUT", "/api/v1/tasks/" + id, operator,
                "{\"type\":\"tcp\",\"target\":\"127.0.0.1:81\",\"interval\":\"10s\",\"name\":\"" + longName + "\"}"))).containsExactly("name");
    }

    @Test
    void ambiguousNumericHostsAreA400OnTarget() {
        // parsing only: the server refuses these before any agent could contact them
        for (String t : new String[] {"{\"type\":\"tcp\",\"target\":\"0177.0.0.1:80\"", "{\"type\":\"tcp\",\"target\":\"127.1:80\"",
                "{\"type\":\"http\",\"target\":\"http://0x7f.1/\"", "{\"type\":\"http\",\"target\":\"http://0177.0.0.1:8080/x\"",
                "{\"type\":\"icmp\",\"target\":\"2130706433\""}) {
            TestServer.Response r = create(t + ",\"interval\":\"10s\"}");
            assertThat(fields(r)).as(t).contains("target");
        }
    }

    @Test
    void malformedJsonIsA400() {
        TestServer.Response r = create("{\"type\": ");
        assertThat(fields(r)).containsExactly("$");
        assertThat(r.json().get("errors").get(0).get("message").asText()).contains("not valid JSON");
        assertThat(fields(create("[1,2]"))).containsExactly("$");
        assertThat(fields(create(""))).containsExactly("$");
        assertThat(fields(create("{\"type\":\"tcp\",\"type\":\"udp\"}"))).containsExactly("$");
    }

    @Test
    void wrongContentTypeIs415() {
        TestServer.Response r = server.call("POST", "/api/v1/tasks", operator, "type=tcp",
                java.util.Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void everyBadFieldIsNamedAtOnce() {
        TestServer.Response r = create("""
                {"type":"tcp","target":"127.0.0.1:80","interval":"30s","timeout":"1m","intervall":"1s",
                 "params":{"readBytes":"many","nonsense":1},"assertions":[{"field":"status","op":"bigger","value":"x"}],
                 "selector":{"labels":{"region":5}}}""");
        assertThat(fields(r)).contains("timeout", "intervall", "params.readBytes", "params.nonsense", "assertions[0].op",
                "selector.labels.region");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("SELECT").doesNotContain("at dev.");
    }

    @Test
    void unknownTypeListsTheInstalledOnes() {
        TestServer.Response r = create("{\"type\":\"no-such-type\",\"target\":\"example.com\",\"interval\":\"30s\"}");
        assertThat(fields(r)).containsExactly("type");
        assertThat(r.json().get("errors").get(0).get("message").asText()).contains("dns, http, icmp, tcp, traceroute, udp");
    }

    @Test
    void intervalIsRequiredAndSelectorsAreChecked() {
        assertThat(fields(create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:80\"}"))).containsExactly("interval");
        assertThat(fields(create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"5s\",\"selector\":{\"agent\":\"nope\"}}")))
                .containsExactly("selector.agent");
        assertThat(fields(create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"5s\",\"selector\":{\"all\":true,\"agent\":\"x\"}}")))
                .containsExactly("selector");
        assertThat(fields(create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"5s\",\"selector\":{\"region\":\"x\"}}")))
                .containsExactly("selector.region");
    }

    @Test
    void secretParametersNeverLeaveTheServer() {
        String secret = "s3cr3t-bearer-value";
        TestServer.Response created = create("{\"type\":\"http\",\"target\":\"http://127.0.0.1:9/\",\"interval\":\"30s\","
                + "\"params\":{\"bearerToken\":\"" + secret + "\",\"method\":\"GET\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.body()).doesNotContain(secret);
        assertThat(created.json().get("params").get("bearerToken").asText()).isEqualTo("******");
        assertThat(server.get("/api/v1/tasks/" + id, viewer).body()).doesNotContain(secret);
        assertThat(server.get("/api/v1/tasks?limit=500", viewer).body()).doesNotContain(secret);

        // sending the mask back keeps the stored secret
        ObjectNode edit = (ObjectNode) created.json().deepCopy();
        edit.put("name", "renamed");
        TestServer.Response kept = server.call("PUT", "/api/v1/tasks/" + id, operator, edit.toString());
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(kept.body()).doesNotContain(secret);
        assertThat(server.core.tasks().find(id).orElseThrow().spec().params().get("bearerToken")).isEqualTo(secret);

        // a new value replaces it
        ((ObjectNode) edit.get("params")).put("bearerToken", "another-value");
        edit.remove("revision");
        server.call("PUT", "/api/v1/tasks/" + id, operator, edit.toString());
        assertThat(server.core.tasks().find(id).orElseThrow().spec().params().get("bearerToken")).isEqualTo("another-value");

        // a mask with nothing stored behind it is refused
        ((ObjectNode) edit.get("params")).put("basicAuthPassword", "******");
        assertThat(fields(server.call("PUT", "/api/v1/tasks/" + id, operator, edit.toString()))).containsExactly("params.basicAuthPassword");
    }

    @Test
    void listenersHearOfCommittedChanges() {
        List<String> heard = new CopyOnWriteArrayList<>();
        TaskChangeListener listener = new TaskChangeListener() {
            @Override
            public void changed(StoredTask task) {
                heard.add("changed " + task.id() + " r" + task.revision());
            }

            @Override
            public void removed(String taskId) {
                heard.add("removed " + taskId);
            }
        };
        server.core.tasks().addListener(listener);
        try {
            create("{\"id\":\"heard\",\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"10s\"}");
            server.post("/api/v1/tasks/heard/disable", operator, null);
            create("{\"id\":\"heard\",\"type\":\"tcp\",\"target\":\"127.0.0.1:80\",\"interval\":\"10s\"}"); // 409: not heard
            server.call("DELETE", "/api/v1/tasks/heard", operator, null);
        } finally {
            server.core.tasks().removeListener(listener);
        }
        assertThat(heard).containsExactly("changed heard r1", "changed heard r2", "removed heard");
    }

    @Test
    void pluginsAreDescribedForForms() {
        JsonNode items = server.get("/api/v1/plugins", viewer).json().get("items");
        assertThat(items.findValuesAsText("type")).contains("http", "icmp", "tcp", "udp", "dns");
        JsonNode http = null;
        for (JsonNode p : items) {
            if (p.get("type").asText().equals("http")) {
                http = p;
            }
        }
        assertThat(http).isNotNull();
        JsonNode bearer = null;
        for (JsonNode p : http.get("parameters")) {
            if (p.get("name").asText().equals("bearerToken")) {
                bearer = p;
            }
            assertThat(p.has("type") && p.has("default") && p.has("required") && p.has("secret") && p.has("min")
                    && p.has("max") && p.has("allowedValues") && p.has("pattern")).isTrue();
        }
        assertThat(bearer.get("secret").asBoolean()).isTrue();
    }

    @Test
    void aTargetEverySelectedAgentRefusesIsA400NamingTheAgentsAndTheRule() {
        try (TestServer own = TestServer.start()) {
            String admin = own.adminToken();
            String token = own.post("/api/v1/agents/enrollment-tokens", admin,
                    "{\"uses\":1,\"labels\":{\"zone\":\"edge\"}}").json().get("token").asText();
            assertThat(own.post("/api/v1/agents/enroll", null, "{\"token\":\"" + token + "\",\"name\":\"edge-1\"}")
                    .status()).isEqualTo(201);

            TestServer.Response refused = own.post("/api/v1/tasks", admin,
                    "{\"type\":\"tcp\",\"target\":\"127.0.0.1:5432\",\"interval\":\"30s\",\"selector\":{\"labels\":{\"zone\":\"edge\"}}}");
            assertThat(fields(refused)).containsExactly("target");
            assertThat(refused.body()).contains("edge-1").contains("127.0.0.0/8");
            TestServer.Response url = own.post("/api/v1/tasks", admin,
                    "{\"type\":\"http\",\"target\":\"http://[::1]:8080/\",\"interval\":\"30s\"}");
            assertThat(fields(url)).as("every agent (there is one) refuses ::1").containsExactly("target");

            // a selector that picks no agent yet, and a name the agents will resolve themselves, are accepted
            assertThat(own.post("/api/v1/tasks", admin, "{\"type\":\"tcp\",\"target\":\"127.0.0.1:5432\","
                    + "\"interval\":\"30s\",\"selector\":{\"labels\":{\"zone\":\"lab\"}}}").status()).isEqualTo(201);
            assertThat(own.post("/api/v1/tasks", admin, "{\"type\":\"tcp\",\"target\":\"db.example.invalid:5432\","
                    + "\"interval\":\"30s\"}").status()).isEqualTo(201);
            assertThat(own.get("/api/v1/tasks", admin).json().get("total").asInt()).as("nothing of the refused ones stored").isEqualTo(2);
        }
    }

    @Test
    void aBadIntervalIsOneErrorNotTwo() {
        TestServer.Response r = create("{\"type\":\"tcp\",\"target\":\"127.0.0.1:5432\",\"interval\":\"-5s\"}");
        assertThat(fields(r)).containsExactly("interval");
        assertThat(r.body()).doesNotContain("is required");
    }

    @Test
    void pluginsSpeakTheLanguageAskedFor() {
        JsonNode zh = server.call("GET", "/api/v1/plugins", viewer, null, java.util.Map.of("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"))
                .json().get("items");
        JsonNode en = server.call("GET", "/api/v1/plugins", viewer, null, java.util.Map.of("Accept-Language", "en-US"))
                .json().get("items");
        JsonNode plain = server.get("/api/v1/plugins", viewer).json().get("items");
        for (int i = 0; i < zh.size(); i++) {
            JsonNode z = zh.get(i);
            assertThat(z.get("description").asText()).as(z.get("type").asText()).containsPattern("\\p{IsHan}");
            assertThat(z.get("target").asText()).as(z.get("type").asText()).containsPattern("\\p{IsHan}");
            for (JsonNode param : z.get("parameters")) {
                assertThat(param.get("description").asText()).as(z.get("type").asText() + "." + param.get("name").asText())
                        .containsPattern("\\p{IsHan}");
            }
            assertThat(en.get(i).get("description").asText()).doesNotContainPattern("\\p{IsHan}");
            assertThat(en.get(i)).isEqualTo(plain.get(i));
        }
        // a language no plugin speaks, and a header that is not one, give the plugins' own words
        assertThat(server.call("GET", "/api/v1/plugins", viewer, null, java.util.Map.of("Accept-Language", "fr"))
                .json().get("items")).isEqualTo(plain);
        assertThat(server.call("GET", "/api/v1/plugins", viewer, null, java.util.Map.of("Accept-Language", ";;;"))
                .status()).isEqualTo(200);
    }

    /** A task wrong in many fields at once: the server's, the engine's and the plugin's (and its support library's) checks. */
    private static final String BAD_TASK = "{\"type\":\"tcp\",\"target\":\"nohostport\",\"interval\":\"5ms\","
            + "\"timeout\":\"soon\",\"params\":{\"readBytes\":0,\"sni\":\"example.com\"},\"selector\":{\"all\":false},"
            + "\"dependsOn\":[\"no-such-task\"],\"name\":\"" + "n".repeat(300) + "\"}";

    private static java.util.Map<String, String> messages(TestServer.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        r.json().get("errors").forEach(e -> out.put(e.get("field").asText(), e.get("message").asText()));
        return out;
    }

    @Test
    void theShapeOfTheTaskJsonIsToldInTheLanguageAskedFor() {
        java.util.Map<String, String> zh = java.util.Map.of("Accept-Language", "zh-CN");
        String wrong = "{\"type\":\"tcp\",\"target\":1,\"intervall\":\"1s\",\"interval\":30,\"timeout\":[],"
                + "\"labels\":{\"team\":null},\"enabled\":\"yes\",\"selector\":{\"all\":true}}";
        assertThat(messages(server.call("POST", "/api/v1/tasks", operator, wrong, zh))).containsExactly(
                java.util.Map.entry("enabled", "必须是 true 或 false，实际为字符串"),
                java.util.Map.entry("interval", "必须是时长字符串，例如 \"30s\" 或 \"250ms\"，实际为数字（单纯的数字没有单位）"),
                java.util.Map.entry("intervall", "未知字段“intervall”；可用字段：id, name, type, target, interval, timeout, "
                        + "jitter, maxInFlight, params, assertions, labels, enabled, diagnose"),
                java.util.Map.entry("labels.team", "必须是字符串，实际为空值（null）"),
                java.util.Map.entry("target", "必须是字符串，实际为数字"),
                java.util.Map.entry("timeout", "必须是时长字符串，例如 \"30s\" 或 \"250ms\"，实际为数组"));
        assertThat(messages(create(wrong))).containsEntry("target", "must be a string, got a number")
                .containsEntry("labels.team", "must be a string, got null");
        // an instant test reads the same JSON
        assertThat(messages(server.call("POST", "/api/v1/instant-tests", operator,
                "{\"type\":\"tcp\",\"target\":[],\"selector\":{\"all\":true}}", zh)))
                .containsEntry("target", "必须是字符串，实际为数组");
        // and a body that is no JSON at all: the parser's own words are quoted as data
        java.util.Map<String, String> notJson = messages(server.call("POST", "/api/v1/tasks", operator, "{\"type\":", zh));
        assertThat(notJson).containsOnlyKeys("$");
        assertThat(notJson.get("$")).startsWith("不是有效的 JSON（第 1 行，第 ");
    }

    @Test
    void everyPluginParameterGivenTheWrongKindOfValueIsRefusedInChinese() {
        java.util.Map<String, String> zh = java.util.Map.of("Accept-Language", "zh-CN");
        java.util.Map<String, String> targets = java.util.Map.of("tcp", "192.0.2.1:80", "udp", "192.0.2.1:53",
                "http", "http://192.0.2.1/", "dns", "example.invalid");
        int refused = 0;
        for (JsonNode plugin : server.get("/api/v1/plugins", viewer).json().get("items")) {
            String type = plugin.get("type").asText();
            for (JsonNode param : plugin.get("parameters")) {
                String name = param.get("name").asText();
                for (Object wrong : List.of(List.of(1), java.util.Map.of("a", 1), -1, "x".repeat(3000))) {
                    TestServer.Response r = server.call("POST", "/api/v1/tasks", operator, dev.vantage.server.json.JsonMapping.write(
                            java.util.Map.of("type", type, "target", targets.getOrDefault(type, "192.0.2.1"), "interval", "30s",
                                    "params", java.util.Map.of(name, wrong), "selector", java.util.Map.of("all", true))), zh);
                    if (r.status() == 201) {
                        server.call("DELETE", "/api/v1/tasks/" + r.json().get("id").asText(), operator, null);
                        continue;
                    }
                    refused++;
                    // Chinese words around values: the kind of a value is told too ("a list" was English)
                    messages(r).forEach((field, message) -> assertThat(message).as(type + " " + field + "=" + wrong)
                            .containsPattern("\\p{IsHan}").doesNotContain("a list", "an object", "must be"));
                }
            }
        }
        assertThat(refused).as("refusals seen").isGreaterThan(50);
    }

    @Test
    void fieldErrorsSpeakTheLanguageAskedFor() {
        TestServer.Response zh = server.call("POST", "/api/v1/tasks", operator, BAD_TASK,
                java.util.Map.of("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"));
        assertThat(zh.headers().allValues("vary").toString()).contains("Accept-Language");
        java.util.Map<String, String> chinese = messages(zh);
        assertThat(chinese).containsOnlyKeys("target", "interval", "timeout", "params.readBytes", "params.sni",
                "selector.all", "dependsOn[0]", "name");
        chinese.forEach((field, message) -> {
            // what is left once values (quoted as they were sent) and field names are taken out is Chinese
            String words = message.replaceAll("“[^”]*”|'[^']*'", "").replaceAll("\\b(true|tls|IPv6|IPv4|DNS|URL|ISO)\\b", ""); // values and proper names
            assertThat(words).as(field + ": " + message).containsPattern("\\p{IsHan}").doesNotContainPattern("[A-Za-z]{3,}");
        });
        assertThat(zh.json().get("detail").asText()).isEqualTo("有 8 个字段无效");
        assertThat(chinese.get("target")).contains("“nohostport”");

        // English, asked for or by default, is what it always was
        java.util.Map<String, String> english = messages(create(BAD_TASK));
        assertThat(messages(server.call("POST", "/api/v1/tasks", operator, BAD_TASK, java.util.Map.of("Accept-Language", "en-US"))))
                .isEqualTo(english);
        assertThat(english).containsEntry("target", "expected host:port (an IPv6 address in brackets, [::1]:443), got 'nohostport'")
                .containsEntry("interval", "must be between 10ms and 1d, got 5ms")
                .containsEntry("timeout", "'soon' is not a duration (use e.g. 250ms, 1.5s, 2m, 1h or PT1S)")
                .containsEntry("params.readBytes", "must be at least 1, got 0")
                .containsEntry("params.sni", "only applies with tls=true")
                .containsEntry("selector.all", "must be true")
                .containsEntry("dependsOn[0]", "no task has this id")
                .containsEntry("name", "must be at most 256 characters");
        assertThat(server.call("GET", "/api/v1/tasks/none", viewer, null, java.util.Map.of("Accept-Language", "zh-CN"))
                .json().get("detail").asText()).isEqualTo("找不到该任务");
        assertThat(server.get("/api/v1/tasks/none", viewer).json().get("detail").asText()).isEqualTo("task not found");
        // what a user meets before any form: the login
        TestServer.Response login = server.call("POST", "/api/v1/auth/login", null,
                "{\"username\":\"ops\",\"password\":\"not the password\"}", java.util.Map.of("Accept-Language", "zh-CN"));
        assertThat(login.status()).isEqualTo(401);
        assertThat(login.json().get("detail").asText()).isEqualTo("用户名或密码错误");
    }
}
