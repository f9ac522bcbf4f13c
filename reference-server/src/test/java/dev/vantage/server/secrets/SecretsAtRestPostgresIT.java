package dev.vantage.server.secrets;

import dev.vantage.server.backends.Backends;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** {@link SecretsAtRestContract} on the machine's PostgreSQL (a fresh database per test), with a configured key. */
class SecretsAtRestPostgresIT extends SecretsAtRestContract {
    @TempDir
    Path dir;
    private Backends backends;

    @Override
    Map<String, String> backend() throws Exception {
        backends = Backends.create();
        Map<String, String> env = new HashMap<>(backends.env(false));
        env.put("VANTAGE_DATA_DIR", dir.toString());
        env.put("VANTAGE_SECRETS_KEYS", KEY_A);
        return env;
    }

    @Override
    String defaultKeyId(Map<String, String> env) {
        return "a";
    }

    /** Only the database: this test never touches RabbitMQ, which {@link Backends#close} also cleans up after. */
    @AfterEach
    void dropDatabase() throws Exception {
        if (backends != null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + backends.database + " WITH (FORCE)");
            }
        }
    }
}
