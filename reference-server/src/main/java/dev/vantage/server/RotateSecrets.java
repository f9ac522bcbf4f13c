package dev.vantage.server;

import dev.vantage.server.agents.certificates.AgentCertificates;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.security.secrets.UnreadableSecretException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code java -jar vantage-server.jar rotate-secrets}: seals every stored secret again with the current key
 * ({@code vantage.secrets.key-id}), along with any stored in the clear, so that older keys can then be removed from
 * {@code vantage.secrets.keys}. One transaction: all or nothing; run again, it changes nothing. Servers still sealing
 * with an older key would write it again, so restart them with the new current key first (docs/security.md). On
 * embedded H2, stop the server first: it holds the database file.
 */
public final class RotateSecrets {
    private RotateSecrets() {
    }

    /** Runs the command with these arguments (after {@code rotate-secrets}); returns the process exit code. */
    public static int run(String[] args, ServerConfig config, PrintStream out) {
        if (args.length > 0) {
            out.println("usage: java -jar vantage-server.jar rotate-secrets");
            return 2;
        }
        StoredSecrets secrets = StoredSecrets.load(config);
        try (Database db = secrets.openDatabase(config, new SimpleMeterRegistry())) {
            Map<String, Integer> counts = db.inTransaction(c -> {
                Map<String, Integer> all = secrets.resealAll(c);
                // not in resealAll, which the V17 migration also runs, before this table existed
                all.put("agent_ca", AgentCertificates.reseal(c, secrets.box()));
                return all;
            });
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder perTable = new StringBuilder();
            counts.forEach((table, n) -> perTable.append(perTable.isEmpty() ? "" : ", ").append(table).append(' ').append(n));
            out.println("Sealed " + total + " stored secret(s) again with the key '" + secrets.box().currentKeyId()
                    + "' (" + perTable + "); every stored secret is now sealed with it.");
            return 0;
        } catch (UnreadableSecretException e) {
            out.println("vantage-server rotate-secrets: " + e.getMessage() + "; nothing was changed.");
            return 1;
        }
    }
}
