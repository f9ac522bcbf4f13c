package dev.vantage.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.ResetAdmin;
import dev.vantage.server.TestServer;
import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.json.JsonMapping;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The password policy of OWASP ASVS 4.0.3 V2.1, through every way a password is set. */
class PasswordPolicyTest {
    /** On the built-in list (as "qwerty123456"): case does not matter. */
    private static final String COMMON = "Qwerty123456";
    static TestServer server;
    static String admin;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = server.adminToken();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Response createUser(String username, String password, String language) {
        return server.call("POST", "/api/v1/users", admin,
                JsonMapping.write(Map.of("username", username, "password", password)), Map.of("Accept-Language", language));
    }

    private static String passwordError(TestServer.Response r, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        JsonNode error = r.json().get("errors").get(0);
        assertThat(error.get("field").asText()).isEqualTo(field);
        return error.get("message").asText();
    }

    @Test
    void lengthIsTwelveToOneHundredTwentyEightCharactersCountedAsUnicodeCodePoints() {
        assertThat(passwordError(createUser("len11", "a".repeat(5) + "-" + "b".repeat(5), "en"), "password"))
                .isEqualTo("must be at least 12 characters");
        // 11 emoji are 22 UTF-16 units but 11 characters
        assertThat(passwordError(createUser("emoji11", "🙂".repeat(11), "en"), "password")).contains("at least 12");
        assertThat(createUser("len12", "abcdefghij-1", "en").status()).isEqualTo(201);
        // ASVS 2.1.1 counts after runs of spaces are combined: 14 characters, but 9 for the minimum
        assertThat(passwordError(createUser("spaces", "pass      word", "en"), "password")).contains("at least 12");
        assertThat(createUser("spaces", "pass word is fine", "en").status()).isEqualTo(201);
        String longest = "x".repeat(64) + "🙂".repeat(64);
        assertThat(longest.codePointCount(0, longest.length())).isEqualTo(128);
        assertThat(createUser("len128", longest, "en").status()).isEqualTo(201);
        assertThat(server.login("len128", longest)).isNotBlank();
        assertThat(passwordError(createUser("len129", longest + "y", "en"), "password"))
                .isEqualTo("must be at most 128 characters");
    }

    @Test
    void anyPrintableUnicodeIsAllowedAndNothingIsTrimmedOrTruncated() {
        String spaced = "  我的 密码 is 🙂 with spaces  ";
        assertThat(createUser("unicode", spaced, "en").status()).isEqualTo(201);
        assertThat(server.login("unicode", spaced)).isNotBlank();
        for (String near : new String[] {spaced.strip(), spaced.substring(0, spaced.length() - 1), spaced + " "}) {
            assertThat(server.post("/api/v1/auth/login", null,
                    JsonMapping.write(Map.of("username", "unicode", "password", near))).status()).as(near).isEqualTo(401);
        }
        // no composition rules: twelve lower-case letters are fine
        assertThat(createUser("plain", "plainlettersonly", "en").status()).isEqualTo(201);
    }

    @Test
    void commonPasswordsAreRefusedWhereverAPasswordIsSet() {
        assertThat(passwordError(createUser("common", COMMON, "en"), "password")).contains("most common passwords");
        assertThat(passwordError(createUser("common", COMMON, "zh-CN"), "password")).contains("最常见的密码");

        String id = createUser("patched", "a-fine-password-1", "en").json().get("id").asText();
        assertThat(passwordError(server.call("PATCH", "/api/v1/users/" + id, admin,
                JsonMapping.write(Map.of("password", "PasswordPassword"))), "password")).contains("most common");
        assertThat(passwordError(server.call("PATCH", "/api/v1/users/" + id, admin,
                JsonMapping.write(Map.of("password", "x".repeat(129)))), "password")).contains("at most 128");

        String own = server.login("patched", "a-fine-password-1");
        assertThat(passwordError(server.post("/api/v1/auth/password", own, JsonMapping.write(
                Map.of("currentPassword", "a-fine-password-1", "newPassword", COMMON))), "newPassword")).contains("most common");
        // the current password is required (ASVS 2.1.5/2.1.6)
        assertThat(passwordError(server.post("/api/v1/auth/password", own, JsonMapping.write(
                Map.of("newPassword", "another-fine-password"))), "currentPassword")).isNotBlank();
        assertThat(server.get("/api/v1/auth/me", own).status()).as("refusals change nothing").isEqualTo(200);
    }

    @Test
    void aLoginWithAPasswordThePolicyNowRefusesIsToldToChangeIt() {
        // an account from before the policy (or before its password joined the list): made behind the API's back
        server.core.users().create("legacy", server.core.passwords().hash(COMMON), Role.VIEWER);
        JsonNode legacy = server.loginPair("legacy", COMMON);
        assertThat(legacy.get("passwordChangeRequired").asBoolean()).isTrue();
        assertThat(server.get("/api/v1/auth/me", legacy.get("accessToken").asText()).status()).isEqualTo(200);
        JsonNode changed = server.post("/api/v1/auth/password", legacy.get("accessToken").asText(), JsonMapping.write(
                Map.of("currentPassword", COMMON, "newPassword", "a-much-better-password"))).json();
        assertThat(changed.get("passwordChangeRequired").asBoolean()).isFalse();
        assertThat(server.loginPair("legacy", "a-much-better-password").get("passwordChangeRequired").asBoolean()).isFalse();
    }

    @Test
    void theBlocklistIsConfigurable(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path list = dir.resolve("breached.txt");
        Files.writeString(list, "# ours\nshort\nOur-Company-2026\n");
        try (TestServer own = TestServer.start(Map.of("VANTAGE_PASSWORD_BLOCKLIST", list.toString()))) {
            String token = own.adminToken();
            assertThat(own.post("/api/v1/users", token, JsonMapping.write(Map.of("username", "a", "password", "our-company-2026")))
                    .status()).isEqualTo(400);
            assertThat(own.post("/api/v1/users", token, JsonMapping.write(Map.of("username", "b", "password", COMMON)))
                    .status()).as("the file replaces the built-in list").isEqualTo(201);
            assertThat(own.core.passwordPolicy().blocklistSize()).as("comments and short entries skipped").isEqualTo(1);
        }
        try (TestServer off = TestServer.start(Map.of("VANTAGE_PASSWORD_BLOCKLIST", "off"))) {
            assertThat(off.post("/api/v1/users", off.adminToken(), JsonMapping.write(Map.of("username", "c", "password", COMMON)))
                    .status()).isEqualTo(201);
        }
        assertThatThrownBy(() -> TestServer.start(Map.of("VANTAGE_PASSWORD_BLOCKLIST", dir.resolve("missing.txt").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VANTAGE_PASSWORD_BLOCKLIST")
                .hasMessageContaining("missing.txt");
        assertThat(PasswordPolicy.of("builtin").blocklistSize()).isGreaterThan(200);
    }

    @Test
    void theBootstrapAdminAndResetAdminObeyThePolicy(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> TestServer.start(Map.of("VANTAGE_ADMIN_PASSWORD", COMMON)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("vantage.admin.password (VANTAGE_ADMIN_PASSWORD): is one of the most common passwords "
                        + "(it appears in breached-password lists); choose another");
        assertThatThrownBy(() -> TestServer.start(Map.of("VANTAGE_ADMIN_PASSWORD", "x".repeat(129))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be at most 128 characters");

        for (String bad : new String[] {COMMON, "short-one", "x".repeat(129)}) {
            ServerConfig config = ServerConfig.load(Map.of("VANTAGE_DATA_DIR", dir.toString(), "VANTAGE_ADMIN_PASSWORD", bad));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ResetAdmin.run(new String[0], config, new PrintStream(out, true, StandardCharsets.UTF_8))).isEqualTo(2);
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("vantage-server reset-admin: VANTAGE_ADMIN_PASSWORD ")
                    .doesNotContain(bad);
        }
    }
}
