package dev.vantage.server;

import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import io.helidon.logging.common.LogConfig;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the Vantage server: {@code java -jar vantage-server.jar}; {@code reset-admin [username]} restores an admin
 * instead ({@link ResetAdmin}), {@code rotate-secrets} seals stored secrets with the current key ({@link RotateSecrets}).
 * Configuration: docs/configuration.md.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        // logback.xml picks its appender by this name: anything else would silence the log, so refuse it first
        String logFormat = System.getenv().getOrDefault("VANTAGE_LOG_FORMAT", "text");
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            System.err.println("vantage-server: VANTAGE_LOG_FORMAT must be text or json, got '" + logFormat + "'");
            System.exit(2);
            return;
        }
        // java.util.logging from logging.properties (the jar's, or one in the working directory, or the file named by
        // -Djava.util.logging.config.file): Helidon's own JUL setup, so it knows logging is configured
        LogConfig.configureRuntime();
        ServerConfig config;
        ServerCore core;
        try {
            config = ServerConfig.load();
            if (args.length > 0 && args[0].equals("reset-admin")) {
                System.exit(ResetAdmin.run(java.util.Arrays.copyOfRange(args, 1, args.length), config, System.out));
                return;
            }
            if (args.length > 0 && args[0].equals("rotate-secrets")) {
                System.exit(RotateSecrets.run(java.util.Arrays.copyOfRange(args, 1, args.length), config, System.out));
                return;
            }
            if (args.length > 0) {
                System.err.println("vantage-server: unknown command '" + args[0] + "' (the commands are reset-admin and"
                        + " rotate-secrets)");
                System.exit(2);
                return;
            }
            core = ServerCore.start(config, Clock.systemUTC(), System.out);
        } catch (ConfigException e) {
            System.err.println("vantage-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        ServerApp app = ServerApp.start(core);
        LOG.log(System.Logger.Level.INFO, "Vantage server listening on http://" + config.host() + ":" + app.port()
                + " (database: " + (core.database().isPostgres() ? "PostgreSQL" : "embedded H2 in " + config.dataDir().toAbsolutePath()) + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            core.close();
            stopped.countDown();
        }, "vantage-shutdown"));
        stopped.await();
    }
}
