package dev.vantage.server.auth;

import dev.vantage.server.security.Role;
import dev.vantage.server.json.JsonMapping;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.TestServer;
import dev.vantage.server.users.User;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthApiTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String loginBody(String user, String password) {
        return JsonMapping.write(Map.of("username", user, "password", password));
    }

    @Test
    void loginGivesTokensThatIdentifyTheUser() {
        JsonNode pair = server.loginPair("admin", TestServer.ADMIN_PASSWORD);
        assertThat(pair.get("expiresIn").asLong()).isEqualTo(15 * 60);
        assertThat(pair.get("tokenType").asText()).isEqualTo("Bearer");
        TestServer.Response me = server.get("/api/v1/auth/me", pair.get("accessToken").asText());
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("username").asText()).isEqualTo("admin");
        assertThat(me.json().get("role").asText()).isEqualTo("admin");
    }

    @Test
    void unknownUserAndWrongPasswordGetTheSameAnswer() {
        server.createUser("samey", Role.VIEWER);
        TestServer.Response wrong = server.post("/api/v1/auth/login", null, loginBody("samey", "not-the-password"));
        TestServer.Response unknown = server.post("/api/v1/auth/login", null, loginBody("nobody-here", "not-the-password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(unknown.body());
        assertThat(wrong.contentType()).startsWith("application/problem+json");
        assertThat(wrong.headers().firstValue("www-authenticate")).contains("Bearer");
    }

    @Test
    void disabledUserCannotLogIn() {
        User u = server.createUser("gone", Role.VIEWER);
        server.core.users().update(u.id(), new dev.vantage.server.users.UserStore.Change(null, true, null));
        assertThat(server.post("/api/v1/auth/login", null, loginBody("gone", TestServer.passwordOf("gone"))).status()).isEqualTo(401);
    }

    @Test
    void refreshRotatesAndTheOldRefreshTokenStopsWorking() {
        server.createUser("rotor", Role.VIEWER);
        JsonNode first = server.loginPair("rotor", TestServer.passwordOf("rotor"));
        String refresh1 = first.get("refreshToken").asText();
        TestServer.Response second = server.post("/api/v1/auth/refresh", null, JsonMapping.write(Map.of("refreshToken", refresh1)));
        assertThat(second.status()).isEqualTo(200);
        String refresh2 = second.json().get("refreshToken").asText();
        assertThat(refresh2).isNotEqualTo(refresh1);
        assertThat(server.get("/api/v1/auth/me", second.json().get("accessToken").asText()).status()).isEqualTo(200);

        // reusing the first refresh token is refused, and (a sign of theft) revokes the session
        assertThat(server.post("/api/v1/auth/refresh", null, JsonMapping.write(Map.of("refreshToken", refresh1))).status()).isEqualTo(401);
        assertThat(server.post("/api/v1/auth/refresh", null, JsonMapping.write(Map.of("refreshToken", refresh2))).status()).isEqualTo(401);
        assertThat(server.get("/api/v1/auth/me", second.json().get("accessToken").asText()).status()).isEqualTo(401);
    }

    @Test
    void anAccessTokenIsNotARefreshTokenAndViceVersa() {
        server.createUser("mixer", Role.VIEWER);
        JsonNode pair = server.loginPair("mixer", TestServer.passwordOf("mixer"));
        assertThat(server.post("/api/v1/auth/refresh", null,
                JsonMapping.write(Map.of("refreshToken", pair.get("accessToken").asText()))).status()).isEqualTo(401);
        assertThat(server.get("/api/v1/auth/me", pair.get("refreshToken").asText()).status()).isEqualTo(401);
    }

    @Test
    void logoutEndsAccessAndRefreshAtOnce() {
        server.createUser("leaver", Role.VIEWER);
        JsonNode pair = server.loginPair("leaver", TestServer.passwordOf("leaver"));
        String access = pair.get("accessToken").asText();
        assertThat(server.post("/api/v1/auth/logout", access, null).status()).isEqualTo(204);
        assertThat(server.get("/api/v1/auth/me", access).status()).isEqualTo(401);
        assertThat(server.post("/api/v1/auth/refresh", null,
                JsonMapping.write(Map.of("refreshToken", pair.get("refreshToken").asText()))).status()).isEqualTo(401);
    }

    @Test
    void passwordChangeRevokesEveryEarlierTokenOfTheUser() {
        server.createUser("changer", Role.OPERATOR);
        String password = TestServer.passwordOf("changer");
        JsonNode other = server.loginPair("changer", password);
        String access = server.login("changer", password);
        TestServer.Response token = server.post("/api/v1/tokens", access, "{\"name\":\"ci\"}");
        assertThat(token.status()).isEqualTo(201);
        String apiToken = token.json().get("token").asText();
        assertThat(server.get("/api/v1/auth/me", apiToken).status()).isEqualTo(200);

        TestServer.Response tooShort = server.post("/api/v1/auth/password", access,
                JsonMapping.write(Map.of("currentPassword", password, "newPassword", "short")));
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.json().get("errors").get(0).get("field").asText()).isEqualTo("newPassword");
        TestServer.Response wrongCurrent = server.post("/api/v1/auth/password", access,
                JsonMapping.write(Map.of("currentPassword", "not-my-password", "newPassword", "a-new-long-password")));
        assertThat(wrongCurrent.status()).isEqualTo(403);

        TestServer.Response changed = server.post("/api/v1/auth/password", access,
                JsonMapping.write(Map.of("currentPassword", password, "newPassword", "a-new-long-password")));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(server.get("/api/v1/auth/me", access).status()).isEqualTo(401);
        assertThat(server.get("/api/v1/auth/me", other.get("accessToken").asText()).status()).isEqualTo(401);
        assertThat(server.post("/api/v1/auth/refresh", null,
                JsonMapping.write(Map.of("refreshToken", other.get("refreshToken").asText()))).status()).isEqualTo(401);
        assertThat(server.get("/api/v1/auth/me", apiToken).status()).isEqualTo(401);
        // the answer is a fresh session for the one who changed it
        assertThat(server.get("/api/v1/auth/me", changed.json().get("accessToken").asText()).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/auth/login", null, loginBody("changer", password)).status()).isEqualTo(401);
        server.login("changer", "a-new-long-password");
        // the audit log shows who changed their password, when and from where (never the password)
        JsonNode audit = server.get("/api/v1/audit?actor=changer", server.adminToken()).json();
        assertThat(audit.get("items").findValuesAsText("action")).contains("POST /api/v1/auth/password");
        assertThat(audit.toString()).doesNotContain("a-new-long-password").doesNotContain(password);
    }

    @Test
    void usersSeeTheirSessionsAndEndAnyOrAllOthersWithTheirPassword() {
        server.createUser("traveller", Role.VIEWER);
        String password = TestServer.passwordOf("traveller");
        JsonNode laptop = server.loginPair("traveller", password);
        JsonNode phone = server.loginPair("traveller", password);
        JsonNode kiosk = server.loginPair("traveller", password);
        String here = laptop.get("accessToken").asText();
        String phoneId = JWT.decode(phone.get("accessToken").asText()).getClaim("sid").asString();
        String hereId = JWT.decode(here).getClaim("sid").asString();

        JsonNode list = server.get("/api/v1/auth/sessions", here).json().get("items");
        assertThat(list.findValuesAsText("id")).hasSize(3).contains(phoneId, hereId);
        for (JsonNode s : list) {
            assertThat(s.get("current").asBoolean()).isEqualTo(s.get("id").asText().equals(hereId));
        }
        // another user's session list and sessions are out of reach
        String othersId = JWT.decode(server.sessionToken(server.createUser("stranger", Role.VIEWER))).getClaim("sid").asString();
        assertThat(server.get("/api/v1/auth/sessions", here).json().findValuesAsText("id")).doesNotContain(othersId);

        // the password again, or nothing ends
        TestServer.Response wrong = server.post("/api/v1/auth/sessions/end", here,
                JsonMapping.write(Map.of("currentPassword", "not-my-password", "id", phoneId)));
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(server.post("/api/v1/auth/sessions/end", here, JsonMapping.write(Map.of("id", phoneId))).status()).isEqualTo(400);
        assertThat(server.get("/api/v1/auth/me", phone.get("accessToken").asText()).status()).isEqualTo(200);

        TestServer.Response one = server.post("/api/v1/auth/sessions/end", here,
                JsonMapping.write(Map.of("currentPassword", password, "id", phoneId)));
        assertThat(one.json().get("ended").asInt()).isEqualTo(1);
        assertThat(server.get("/api/v1/auth/me", phone.get("accessToken").asText()).status()).isEqualTo(401);
        assertThat(server.post("/api/v1/auth/refresh", null,
                JsonMapping.write(Map.of("refreshToken", phone.get("refreshToken").asText()))).status()).isEqualTo(401);
        assertThat(server.get("/api/v1/auth/me", kiosk.get("accessToken").asText()).status()).isEqualTo(200);
        assertThat(server.post("/api/v1/auth/sessions/end", here,
                JsonMapping.write(Map.of("currentPassword", password, "id", othersId))).json().get("ended").asInt()).isZero();

        TestServer.Response others = server.post("/api/v1/auth/sessions/end", here,
                JsonMapping.write(Map.of("currentPassword", password)));
        assertThat(others.json().get("ended").asInt()).isEqualTo(1);
        assertThat(server.get("/api/v1/auth/me", kiosk.get("accessToken").asText()).status()).isEqualTo(401);
        assertThat(server.get("/api/v1/auth/me", here).status()).as("the current session stays").isEqualTo(200);
        assertThat(server.get("/api/v1/auth/sessions", here).json().findValuesAsText("id")).containsExactly(hereId);

        String apiToken = server.post("/api/v1/tokens", here, "{\"name\":\"script\"}").json().get("token").asText();
        assertThat(server.post("/api/v1/auth/sessions/end", apiToken,
                JsonMapping.write(Map.of("currentPassword", password))).status()).isEqualTo(403);
    }

    /** Everything a user holds: a second session (access and refresh token) and an API token. */
    private record Held(String access, String refresh, String apiToken) {
        void assertAllEnded() {
            assertThat(server.get("/api/v1/auth/me", access).status()).isEqualTo(401);
            assertThat(server.post("/api/v1/auth/refresh", null,
                    JsonMapping.write(Map.of("refreshToken", refresh))).status()).isEqualTo(401);
            assertThat(server.get("/api/v1/auth/me", apiToken).status()).isEqualTo(401);
        }
    }

    private static Held holdings(User u) {
        Sessions.TokenPair pair = server.core.sessions().start(u.id());
        String access = pair.accessToken();
        TestServer.Response token = server.post("/api/v1/tokens", access, "{\"name\":\"held\"}");
        assertThat(token.status()).isEqualTo(201);
        Held held = new Held(access, pair.refreshToken(), token.json().get("token").asText());
        assertThat(server.get("/api/v1/auth/me", held.apiToken()).status()).isEqualTo(200);
        return held;
    }

    @Test
    void anAdminsRoleChangeDisablingOrNewPasswordEndsEverySessionAndApiTokenAtOnceAndIsAudited() {
        String admin = server.adminToken();
        Instant start = Instant.now().minusMillis(1);
        User u = server.createUser("demoted", Role.OPERATOR);
        String path = "/api/v1/users/" + u.id();
        for (Map<String, Object> change : List.<Map<String, Object>>of(Map.of("role", "viewer"),
                Map.of("password", "a-password-set-by-the-admin"), Map.of("disabled", true))) {
            Held held = holdings(u);
            assertThat(server.call("PATCH", path, admin, JsonMapping.write(change)).status()).as("%s", change).isEqualTo(200);
            held.assertAllEnded();
        }
        JsonNode audit = server.get("/api/v1/audit?objectType=users&objectId=" + u.id() + "&from=" + start, admin).json();
        List<String> rows = new java.util.ArrayList<>();
        audit.get("items").forEach(r -> rows.add(r.get("action").asText() + " " + r.get("before").get("role").asText()
                + ">" + r.get("after").get("role").asText() + " " + r.get("after").get("disabled").asBoolean()));
        assertThat(rows.reversed()).containsExactly("PATCH /api/v1/users/{id} operator>viewer false",
                "PATCH /api/v1/users/{id} viewer>viewer false", "PATCH /api/v1/users/{id} viewer>viewer true");
        assertThat(audit.toString()).doesNotContain("a-password-set-by-the-admin");
    }

    /** A token signed with the server's own secret, with chosen claims. */
    private static String signed(String subject, String sessionId, Instant exp, String audience, String issuer) {
        var b = JWT.create().withSubject(subject).withIssuedAt(Instant.now().minusSeconds(60))
                .withClaim("sid", sessionId).withClaim("ver", 0).withClaim("use", "access");
        if (exp != null) {
            b.withExpiresAt(exp);
        }
        if (audience != null) {
            b.withAudience(audience);
        }
        if (issuer != null) {
            b.withIssuer(issuer);
        }
        return b.sign(Algorithm.HMAC256(TestServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void badTokensAreRefused() {
        User u = server.createUser("target", Role.ADMIN);
        String good = server.sessionToken(u);
        String sid = JWT.decode(good).getClaim("sid").asString();
        Instant later = Instant.now().plusSeconds(600);
        assertThat(server.get("/api/v1/auth/me", signed(u.id(), sid, later, "vantage-api", "vantage")).status())
                .as("control: a well-formed token works").isEqualTo(200);

        String expired = signed(u.id(), sid, Instant.now().minusSeconds(5), "vantage-api", "vantage");
        String noExp = signed(u.id(), sid, null, "vantage-api", "vantage");
        String wrongAud = signed(u.id(), sid, later, "someone-else", "vantage");
        String noAud = signed(u.id(), sid, later, null, "vantage");
        String wrongIss = signed(u.id(), sid, later, "vantage-api", "evil");
        String otherSubject = signed("someone", sid, later, "vantage-api", "vantage");
        String forged = JWT.create().withSubject(u.id()).withIssuedAt(Instant.now()).withExpiresAt(later)
                .withAudience("vantage-api").withIssuer("vantage").withClaim("sid", sid).withClaim("ver", 0)
                .withClaim("use", "access").sign(Algorithm.HMAC256("another-secret-of-more-than-32-bytes-xxxxx"));
        String[] parts = good.split("\\.");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
        String hs512 = JWT.create().withSubject(u.id()).withIssuedAt(Instant.now()).withExpiresAt(later)
                .withAudience("vantage-api").withIssuer("vantage").withClaim("sid", sid).withClaim("ver", 0)
                .withClaim("use", "access").sign(Algorithm.HMAC512(TestServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        String tampered = parts[0] + "." + b64.encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8).replace("\"use\":\"access\"", "\"use\":\"access\",\"x\":1").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        for (String bad : new String[] {expired, noExp, wrongAud, noAud, wrongIss, otherSubject, forged, none, hs512,
                tampered, "garbage", "vat_not-a-real-token", ""}) {
            TestServer.Response r = server.get("/api/v1/auth/me", bad);
            assertThat(r.status()).as(bad).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(server.call("GET", "/api/v1/auth/me", null, null, Map.of("Authorization", "Basic YWRtaW46eA==")).status())
                .isEqualTo(401);
        assertThat(server.get("/api/v1/auth/me", null).status()).isEqualTo(401);
    }

    @Test
    void repeatedFailuresAreThrottledWithRetryAfter() {
        server.createUser("guessed", Role.VIEWER);
        for (int i = 0; i < 5; i++) {
            assertThat(server.post("/api/v1/auth/login", null, loginBody("guessed", "wrong-" + i)).status()).isEqualTo(401);
        }
        // locked now: even the right password is refused without being checked
        TestServer.Response locked = server.post("/api/v1/auth/login", null, loginBody("guessed", TestServer.passwordOf("guessed")));
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.headers().firstValue("retry-after")).isPresent();
        assertThat(Long.parseLong(locked.headers().firstValue("retry-after").orElseThrow())).isPositive();
        assertThat(locked.contentType()).startsWith("application/problem+json");
        // other accounts are not affected
        server.login("admin", TestServer.ADMIN_PASSWORD);
        // nor the same account from another client address: an attacker cannot lock the real user out
        assertThat(loginFrom("127.0.0.2", "guessed", TestServer.passwordOf("guessed"))).isEqualTo(200);
    }

    /** Logs in from another loopback source address (the server listens on 127.0.0.1); returns the status. */
    private static int loginFrom(String source, String username, String password) {
        try (java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .localAddress(java.net.InetAddress.getByName(source)).build()) {
            return client.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/auth/login"))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(loginBody(username, password))).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void apiTokensAuthenticateAreListedWithoutSecretsAndCanBeRevoked() {
        User u = server.createUser("scripter", Role.OPERATOR);
        String access = server.sessionToken(u);
        TestServer.Response created = server.post("/api/v1/tokens", access, "{\"name\":\"deploy\",\"role\":\"viewer\",\"expiresIn\":\"30d\"}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("token").asText();
        assertThat(secret).startsWith("vat_").hasSize(4 + 43);
        TestServer.Response me = server.get("/api/v1/auth/me", secret);
        assertThat(me.json().get("role").asText()).isEqualTo("viewer");
        assertThat(me.json().get("via").asText()).isEqualTo("api-token");
        // a viewer token cannot do operator things, even though its owner can
        assertThat(server.post("/api/v1/tasks", secret, "{}").status()).isEqualTo(403);

        TestServer.Response list = server.get("/api/v1/tokens", access);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(secret).doesNotContain("token_hash").doesNotContain("\"token\"");
        assertThat(list.json().get("items").get(0).get("name").asText()).isEqualTo("deploy");

        String id = created.json().get("id").asText();
        assertThat(server.call("DELETE", "/api/v1/tokens/" + id, access, null).status()).isEqualTo(204);
        assertThat(server.get("/api/v1/auth/me", secret).status()).isEqualTo(401);
    }

    @Test
    void tokenRulesOnRoleAndOwnership() {
        User viewer = server.createUser("lowly", Role.VIEWER);
        String access = server.sessionToken(viewer);
        assertThat(server.post("/api/v1/tokens", access, "{\"name\":\"x\",\"role\":\"admin\"}").status()).isEqualTo(403);
        TestServer.Response bad = server.post("/api/v1/tokens", access, "{\"role\":\"king\",\"expiresIn\":\"forever\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("name", "role", "expiresIn");
        String mine = server.post("/api/v1/tokens", access, "{\"name\":\"mine\"}").json().get("token").asText();
        // an API token cannot mint more tokens, log out, or change the password
        assertThat(server.post("/api/v1/tokens", mine, "{\"name\":\"child\"}").status()).isEqualTo(403);
        assertThat(server.post("/api/v1/auth/password", mine, "{\"currentPassword\":\"x\",\"newPassword\":\"y\"}").status()).isEqualTo(403);

        User other = server.createUser("other-op", Role.OPERATOR);
        String othersId = server.post("/api/v1/tokens", server.sessionToken(other), "{\"name\":\"theirs\"}").json().get("id").asText();
        assertThat(server.call("DELETE", "/api/v1/tokens/" + othersId, access, null).status()).isEqualTo(404);
        assertThat(server.call("DELETE", "/api/v1/tokens/" + othersId, server.adminToken(), null).status()).isEqualTo(204);
    }
}
