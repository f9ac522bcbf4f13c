package dev.vantage.server;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.server.alerting.notify.ChannelStore;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.instant.InstantTestStore;
import dev.vantage.server.security.secrets.KeyRing;
import dev.vantage.server.security.secrets.SecretBox;
import dev.vantage.server.tasks.SpecSecrets;
import dev.vantage.server.tasks.TaskStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Every secret the server stores, sealed by one {@link SecretBox}: secret task parameters (tasks and instant tests)
 * and channels' secret settings. Sealing again with the current key whatever is not is one operation, run by the V17
 * migration (values stored in the clear by older versions) and by {@code rotate-secrets} (values of older keys).
 */
final class StoredSecrets {
    private final SecretBox box;
    private final SpecSecrets specs;

    StoredSecrets(SecretBox box, Map<String, ProbeDescriptor> descriptors) {
        this.box = box;
        this.specs = new SpecSecrets(box, descriptors);
    }

    /** The configured keys, and the installed plugins' word on which task parameters are secret (for the commands). */
    static StoredSecrets load(ServerConfig config) {
        SecretBox box = KeyRing.load(config);
        try (ProbeEngine engine = ServerCore.engine(ServerCore.loadPlugins(config))) {
            return new StoredSecrets(box, engine.descriptors());
        }
    }

    SecretBox box() {
        return box;
    }

    SpecSecrets specs() {
        return specs;
    }

    /** Opens the pool and migrates the schema, sealing on the way the secrets older versions stored in the clear. */
    Database openDatabase(ServerConfig config, MeterRegistry registry) {
        return Database.open(config, registry, List.of(new SealMigration()));
    }

    /**
     * Seals again, with the current key, every stored secret that is in the clear or sealed with another key, locking
     * the rows it reads; run it in a transaction.
     *
     * @return how many values changed, per table
     */
    Map<String, Integer> resealAll(Connection c) throws SQLException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put(TaskStore.TABLE, reseal(c, TaskStore.TABLE, "spec",
                rs -> specs.reseal(TaskStore.TABLE, rs.getString("id"), rs.getString("spec"))));
        counts.put(InstantTestStore.TABLE, reseal(c, InstantTestStore.TABLE, "spec",
                rs -> specs.reseal(InstantTestStore.TABLE, rs.getString("id"), rs.getString("spec"))));
        counts.put(ChannelStore.TABLE, reseal(c, ChannelStore.TABLE, "settings",
                rs -> ChannelStore.reseal(box, rs.getString("id"), rs.getString("type"), rs.getString("settings"))));
        return counts;
    }

    @FunctionalInterface
    private interface RowReseal {
        SecretBox.Resealed reseal(ResultSet row) throws SQLException;
    }

    private static int reseal(Connection c, String table, String column, RowReseal rowReseal) throws SQLException {
        List<String[]> updates = new ArrayList<>();
        int values = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " ORDER BY id FOR UPDATE");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                SecretBox.Resealed r = rowReseal.reseal(rs);
                if (r.json() != null) {
                    updates.add(new String[] {r.json(), rs.getString("id")});
                    values += r.values();
                }
            }
        }
        for (String[] u : updates) {
            Sql.update(c, "UPDATE " + table + " SET " + column + " = ? WHERE id = ?", (Object[]) u);
        }
        return values;
    }

    /**
     * V17: seals the secrets stored in the clear before this version, once, in the migration's transaction. Made
     * here rather than found on the class path because it needs the key and the plugins.
     */
    private final class SealMigration implements JavaMigration {
        @Override
        public MigrationVersion getVersion() {
            return MigrationVersion.fromVersion("17");
        }

        @Override
        public String getDescription() {
            return "seal stored secrets";
        }

        @Override
        public Integer getChecksum() {
            return null;
        }

        @Override
        public boolean canExecuteInTransaction() {
            return true;
        }

        @Override
        public void migrate(Context context) throws SQLException {
            resealAll(context.getConnection());
        }
    }
}
