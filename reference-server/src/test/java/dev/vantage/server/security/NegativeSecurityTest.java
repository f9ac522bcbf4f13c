package dev.vantage.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.users.User;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an attacker tries first, as one table that CI runs and counts: forged, expired and unsigned tokens, tokens of
 * users who are gone, roles reaching above themselves, and SSRF spellings in task targets and
 * webhook URLs (oversized requests: TransportProblemsTest). Nothing here is contacted: every row must be refused
 * while parsing or checking.
 */
class NegativeSecurityTest {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder D64 = Base64.getUrlDecoder();
    private static TestServer server;

    private record Row(String what, String method, String path, String token, Object body,
                       Map<String, String> headers, int expected) {
    }

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyAttackInTheTableIsRefused() throws Exception {
        String admin = server.adminToken();
        User viewerUser = server.createUser("neg-viewer", Role.VIEWER);
        String viewer = server.sessionToken(viewerUser);
        String operator = server.sessionToken(server.createUser("neg-operator", Role.OPERATOR));
        User gone = server.createUser("neg-deleted", Role.ADMIN);
        String goneToken = server.sessionToken(gone);
        User disabled = server.createUser("neg-disabled", Role.ADMIN);
        String disabledToken = server.sessionToken(disabled);
        assertThat(server.call("DELETE", "/api/v1/users/" + gone.id(), admin, null).status()).isEqualTo(204);
        assertThat(server.call("PATCH", "/api/v1/users/" + disabled.id(), admin, "{\"disabled\":true}").status())
                .isEqualTo(200);

        String[] parts = viewer.split("\\.");
        ObjectNode claims = (ObjectNode) JsonMapping.MAPPER.readTree(D64.decode(parts[1]));
        ObjectNode expired = claims.deepCopy().put("exp", Instant.now().minusSeconds(60).getEpochSecond());
        ObjectNode asAdmin = claims.deepCopy().put("role", "admin");
        String secret = TestServer.JWT_SECRET;
        Map<String, String> none = Map.of();
        Map<String, Object> task = Map.of("type", "tcp", "target", "192.0.2.1:80", "interval", "1m");
        List<Row> rows = new ArrayList<>(List.of(
                new Row("forged signature (other secret)", "GET", "/api/v1/tasks",
                        sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims.toString(), "another-secret-of-more-than-32-bytes-xx"), null, none, 401),
                new Row("expired token, right secret", "GET", "/api/v1/tasks",
                        sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", expired.toString(), secret), null, none, 401),
                new Row("alg none", "GET", "/api/v1/tasks",
                        B64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                                + parts[1] + ".", null, none, 401),
                new Row("alg HS512 with the right secret", "GET", "/api/v1/tasks",
                        sign("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", claims.toString(), secret), null, none, 401),
                new Row("payload changed, old signature", "GET", "/api/v1/users",
                        parts[0] + "." + B64.encodeToString(asAdmin.toString().getBytes(StandardCharsets.UTF_8)) + "."
                                + parts[2], null, none, 401),
                new Row("token of a deleted user", "GET", "/api/v1/tasks", goneToken, null, none, 401),
                new Row("token of a disabled user", "GET", "/api/v1/tasks", disabledToken, null, none, 401),
                new Row("no token", "GET", "/api/v1/tasks", null, null, none, 401),
                new Row("viewer creates a task", "POST", "/api/v1/tasks", viewer, task, none, 403),
                new Row("viewer runs an instant test", "POST", "/api/v1/instant-tests", viewer, task, none, 403),
                new Row("viewer lists users", "GET", "/api/v1/users", viewer, null, none, 403),
                new Row("viewer creates a channel", "POST", "/api/v1/channels", viewer,
                        Map.of("name", "c", "type", "webhook", "settings", Map.of("url", "https://h.example.test/")), none, 403),
                new Row("operator creates a user", "POST", "/api/v1/users", operator,
                        Map.of("username", "x", "password", "a long enough password", "role", "admin"), none, 403),
                new Row("operator promotes himself", "PATCH", "/api/v1/users/" + viewerUser.id(), operator,
                        Map.of("role", "admin"), none, 403),
                new Row("operator widens an agent policy", "PUT", "/api/v1/agents/x/policy", operator,
                        Map.of("allowLoopback", true), none, 403),
                new Row("operator creates a channel", "POST", "/api/v1/channels", operator,
                        Map.of("name", "c", "type", "webhook", "settings", Map.of("url", "https://h.example.test/")), none, 403)));
        // oversized headers and bodies are TransportProblemsTest's, on a raw socket: the server answers and closes
        // while a client may still be writing, so an HTTP client here sometimes reads a reset instead of the answer
        for (String host : List.of("0177.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "127.0.0.1.",
                "[::ffff:0177.0.0.1]", "[::0177.0.0.1]")) {
            rows.add(new Row("task target " + host, "POST", "/api/v1/tasks", operator,
                    Map.of("type", "http", "target", "http://" + host + "/", "interval", "1m"), none, 400));
        }
        // literal loopback, private and metadata addresses in webhook URLs are accepted here and refused when a
        // message is sent (the outbound policy, on the resolved address): not rows of this parse-only table
        for (String url : List.of("http://0177.0.0.1/hook", "http://127.1/hook", "http://0x7f.1/hook",
                "http://[::ffff:0177.0.0.1]/hook",
                "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "http://user:pw@/hook")) {
            rows.add(new Row("webhook " + url, "POST", "/api/v1/channels", admin,
                    Map.of("name", "c", "type", "webhook", "settings", Map.of("url", url)), none, 400));
        }

        List<String> failures = new ArrayList<>();
        for (Row r : rows) {
            String body = r.body() == null ? null : JsonMapping.write(r.body());
            TestServer.Response answer = server.call(r.method(), r.path(), r.token(), body, r.headers());
            boolean problem = answer.contentType() != null && answer.contentType().startsWith("application/problem+json");
            if (answer.status() != r.expected() || !problem) {
                failures.add(r.what() + ": " + answer.status() + " " + answer.contentType() + " (expected "
                        + r.expected() + " problem+json)");
            }
        }
        System.out.printf("negative security table: %d rows, %d refused as expected, %d not%n", rows.size(),
                rows.size() - failures.size(), failures.size());
        assertThat(failures).isEmpty();
    }

    private static String sign(String header, String payload, String secret) throws Exception {
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        String alg = header.contains("HS512") ? "HmacSHA512" : "HmacSHA256";
        Mac mac = Mac.getInstance(alg);
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), alg));
        return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
    }
}
