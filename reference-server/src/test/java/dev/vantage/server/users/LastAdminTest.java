package dev.vantage.server.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.ResetAdmin;
import dev.vantage.server.TestServer;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.security.Role;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** "At least one enabled admin" under concurrent requests (embedded H2), and the operator's reset-admin command. */
class LastAdminTest {

    @Test
    void twoAdminsRemovingEachOtherAtOnceLeaveAnAdmin() throws Exception {
        try (TestServer server = TestServer.start()) {
            AdminRace.adminsRemovingEachOtherLeaveOne(server, "h2", 8);
        }
    }

    @Test
    void resetAdminRestoresADisabledAdminAndEndsItsSessions() throws Exception {
        Path dir = Files.createTempDirectory("vantage-reset-admin");
        try {
            String oldToken;
            try (TestServer server = TestServer.startIn(dir, Map.of())) {
                User admin = server.core.users().findByUsername("admin").orElseThrow();
                oldToken = server.adminToken();
                // the state an attack run ended in: no enabled admin left (only possible behind the store's back)
                server.core.database().update("UPDATE users SET role = 'viewer', disabled = TRUE WHERE id = ?", admin.id());
            }
            // a restart with VANTAGE_ADMIN_PASSWORD does not bring an admin back once users exist
            try (TestServer server = TestServer.startIn(dir, Map.of())) {
                assertThat(server.post("/api/v1/auth/login", null,
                        "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}").status()).isEqualTo(401);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ServerConfig config = ServerConfig.load(Map.of("VANTAGE_DATA_DIR", dir.toString()));
            int code = ResetAdmin.run(new String[0], config, new PrintStream(out, true, StandardCharsets.UTF_8));
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(code).as(printed).isZero();
            Matcher m = Pattern.compile("shown only this once: (\\S+)").matcher(printed);
            assertThat(m.find()).as(printed).isTrue();
            String password = m.group(1);
            try (TestServer server = TestServer.startIn(dir, Map.of())) {
                String token = server.login("admin", password);
                assertThat(server.get("/api/v1/auth/me", token).json().get("role").asText()).isEqualTo("admin");
                assertThat(server.get("/api/v1/users", token).status()).isEqualTo(200);
                assertThat(server.get("/api/v1/auth/me", oldToken).status()).isEqualTo(401);
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void resetAdminCreatesANamedAdminWithTheConfiguredPassword() throws Exception {
        Path dir = Files.createTempDirectory("vantage-reset-admin");
        try {
            try (TestServer server = TestServer.startIn(dir, Map.of())) {
                server.createUser("viewer1", Role.VIEWER);
            }
            ServerConfig config = ServerConfig.load(Map.of("VANTAGE_DATA_DIR", dir.toString(),
                    "VANTAGE_ADMIN_PASSWORD", "a-new-long-admin-password"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ResetAdmin.run(new String[] {"Rescue"}, config, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("a-new-long-admin-password");
            assertThat(ResetAdmin.run(new String[] {"bad name!"}, config, new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
            try (TestServer server = TestServer.startIn(dir, Map.of())) {
                assertThat(server.get("/api/v1/users", server.login("rescue", "a-new-long-admin-password")).status()).isEqualTo(200);
            }
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    @Test
    void theFirstAdminMayHaveANameOfTheOperatorsChoosingWhichResetAdminRestoresByDefault() throws Exception {
        Path dir = Files.createTempDirectory("vantage-admin-name");
        try {
            Map<String, String> named = Map.of("VANTAGE_ADMIN_USERNAME", "Ops-Root");
            try (TestServer server = TestServer.startIn(dir, named)) {
                assertThat(server.post("/api/v1/auth/login", null,
                        "{\"username\":\"admin\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}").status()).isEqualTo(401);
                String token = server.login("ops-root", TestServer.ADMIN_PASSWORD);
                assertThat(server.get("/api/v1/users", token).json().findValuesAsText("username")).containsExactly("ops-root");
            }
            ServerConfig config = ServerConfig.load(Map.of("VANTAGE_DATA_DIR", dir.toString(),
                    "VANTAGE_ADMIN_USERNAME", "ops-root", "VANTAGE_ADMIN_PASSWORD", "a-new-long-admin-password"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ResetAdmin.run(new String[0], config, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("'ops-root' is now an enabled admin");
        } finally {
            TestServer.deleteTree(dir);
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TestServer.start(Map.of("VANTAGE_ADMIN_USERNAME", "bad name!"))))
                .isInstanceOf(dev.vantage.server.config.ConfigException.class).hasMessageContaining("VANTAGE_ADMIN_USERNAME");
    }
}
