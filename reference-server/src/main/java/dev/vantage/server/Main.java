package dev.vantage.server;

import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;

/** Starts the Vantage server: {@code java -jar vantage-server.jar}. Configuration: docs/configuration.md. */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        configureLogging();
        ServerConfig config;
        ServerCore core;
        try {
            config = ServerConfig.load();
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

    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") != null) {
            return; // the operator's own logging configuration wins
        }
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("logging.properties")) {
            if (in != null) {
                LogManager.getLogManager().readConfiguration(in);
            }
        } catch (IOException e) {
            System.err.println("vantage-server: cannot read logging.properties: " + e);
        }
    }
}
