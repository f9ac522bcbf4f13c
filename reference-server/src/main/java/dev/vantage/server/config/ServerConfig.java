package dev.vantage.server.config;

import dev.vantage.probe.engine.Durations;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The server's settings: {@code application.yaml} on the class path, then the file named by {@code VANTAGE_CONFIG}
 * (if set), then one environment variable per key (see {@link Setting}). Unknown keys in a file are refused, so a
 * typo does not silently fall back to a default.
 */
public record ServerConfig(
        String host,
        int port,
        long maxBodyBytes,
        Path dataDir,
        Path pluginsDir,
        String dbUrl,
        String dbUser,
        Secret dbPassword,
        int dbPoolSize,
        Duration dbConnectTimeout,
        Duration dbStatementTimeout,
        Secret adminPassword,
        Secret jwtSecret,
        String jwtIssuer,
        String jwtAudience,
        Duration accessTokenTtl,
        Duration refreshTokenTtl,
        int loginMaxFailures,
        int loginMaxFailuresPerAddress,
        Duration loginLockout,
        Duration loginMaxLockout,
        boolean localAgentEnabled,
        Duration agentHeartbeat,
        List<String> corsAllowedOrigins,
        int resultsMaxAggregateRows,
        Duration resultsRetention,
        String publicUrl,
        boolean notifyAllowLoopback,
        boolean notifyAllowPrivate,
        String influxUrl,
        Secret influxToken,
        String influxOrg,
        String influxBucket,
        String replicaId,
        Amqp amqp) {

    /**
     * RabbitMQ settings; an empty {@code uri} means results and control messages stay in this process.
     *
     * @param uri            {@code amqp://user:password@host:5672/vhost}; a secret, as it may hold a password
     * @param prefix         names of the exchanges and queues start with it, so several deployments share a vhost
     * @param deliveryLimit  deliveries of one result message before it is dead-lettered
     * @param confirmTimeout how long an agent's batch waits for the broker's confirm before the agent is told to retry
     * @param prefetch       result messages (agent batches) a replica's consumer holds unacknowledged at once
     */
    public record Amqp(Secret uri, String prefix, int deliveryLimit, Duration confirmTimeout, int prefetch) {
        public boolean enabled() {
            return !uri.isEmpty();
        }
    }

    /** Reads the settings from the files and the process environment. */
    public static ServerConfig load() {
        return load(System.getenv());
    }

    /** Reads the settings with {@code env} standing in for the process environment (tests pass their own). */
    public static ServerConfig load(Map<String, String> env) {
        List<java.util.function.Supplier<? extends io.helidon.config.spi.ConfigSource>> sources = new ArrayList<>();
        String file = env.get("VANTAGE_CONFIG");
        if (file != null && !file.isBlank()) {
            sources.add(ConfigSources.file(file)); // listed first: it wins over the built-in defaults
        }
        sources.add(ConfigSources.classpath("application.yaml"));
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(sources)
                .build();
        rejectUnknownKeys(config);
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String fromEnv = env.get(s.env());
            values.put(s, fromEnv != null ? fromEnv.trim() : config.get(s.key()).asString().orElse("").trim());
        }
        return new Reader(values).read();
    }

    private static void rejectUnknownKeys(Config config) {
        Set<String> known = Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toSet());
        List<String> unknown = config.traverse()
                .filter(Config::isLeaf)
                .map(c -> c.key().toString())
                .filter(k -> !known.contains(k))
                .sorted()
                .toList();
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration keys: " + String.join(", ", unknown)
                    + " (docs/configuration.md lists every key)");
        }
    }

    /** The JDBC URL to use: the configured one, or the embedded H2 database in the data directory. */
    public String jdbcUrl() {
        if (!dbUrl.isEmpty()) {
            return dbUrl;
        }
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("vantage")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                // H2 otherwise keeps up to a second of committed transactions in memory: a killed server would lose
                // results it had already acknowledged to agents (who then delete them from their spools)
                + ";WRITE_DELAY=0";
    }

    /** Turns text values into typed ones, naming the key and variable of the first bad one. */
    private record Reader(Map<Setting, String> values) {
        ServerConfig read() {
            return new ServerConfig(
                    text(Setting.SERVER_HOST),
                    integer(Setting.SERVER_PORT, 0, 65535),
                    integer(Setting.MAX_BODY_BYTES, 1024, Integer.MAX_VALUE),
                    Path.of(text(Setting.DATA_DIR).isEmpty() ? "data" : text(Setting.DATA_DIR)),
                    Path.of(text(Setting.PLUGINS_DIR).isEmpty() ? "plugins" : text(Setting.PLUGINS_DIR)),
                    text(Setting.DB_URL),
                    text(Setting.DB_USER),
                    new Secret(text(Setting.DB_PASSWORD)),
                    integer(Setting.DB_POOL_SIZE, 1, 1000),
                    duration(Setting.DB_CONNECT_TIMEOUT),
                    duration(Setting.DB_STATEMENT_TIMEOUT),
                    new Secret(text(Setting.ADMIN_PASSWORD)),
                    new Secret(text(Setting.JWT_SECRET)),
                    required(Setting.JWT_ISSUER),
                    required(Setting.JWT_AUDIENCE),
                    duration(Setting.ACCESS_TOKEN_TTL),
                    duration(Setting.REFRESH_TOKEN_TTL),
                    integer(Setting.LOGIN_MAX_FAILURES, 1, 1000),
                    integer(Setting.LOGIN_MAX_FAILURES_PER_ADDRESS, 1, 100_000),
                    duration(Setting.LOGIN_LOCKOUT),
                    duration(Setting.LOGIN_MAX_LOCKOUT),
                    bool(Setting.LOCAL_AGENT_ENABLED),
                    duration(Setting.AGENT_HEARTBEAT),
                    list(Setting.CORS_ALLOWED_ORIGINS),
                    integer(Setting.RESULTS_MAX_AGGREGATE_ROWS, 1, 10_000_000),
                    atLeastADay(Setting.RESULTS_RETENTION),
                    required(httpUrl(Setting.PUBLIC_URL), Setting.PUBLIC_URL).replaceFirst("/+$", ""),
                    bool(Setting.NOTIFY_ALLOW_LOOPBACK),
                    bool(Setting.NOTIFY_ALLOW_PRIVATE),
                    httpUrl(Setting.INFLUX_URL),
                    new Secret(text(Setting.INFLUX_TOKEN)),
                    influx(Setting.INFLUX_ORG),
                    influx(Setting.INFLUX_BUCKET),
                    // a random id per start: a restarted replica is a new member, and its old queue is gone
                    text(Setting.REPLICA_ID).isEmpty() ? java.util.UUID.randomUUID().toString() : text(Setting.REPLICA_ID),
                    new Amqp(new Secret(text(Setting.AMQP_URI)), required(Setting.AMQP_PREFIX),
                            integer(Setting.AMQP_DELIVERY_LIMIT, 1, 1000), duration(Setting.AMQP_CONFIRM_TIMEOUT),
                            integer(Setting.AMQP_PREFETCH, 1, 65535)));
        }

        /** Empty, or an http(s) URL with a host, checked here so that a typo stops the server before it opens anything. */
        private String httpUrl(Setting s) {
            String url = text(s);
            if (url.isEmpty()) {
                return url;
            }
            try {
                java.net.URI uri = new java.net.URI(url);
                if ((uri.getScheme() == null || !uri.getScheme().matches("https?")) || uri.getHost() == null) {
                    throw bad(s, "must be an http:// or https:// URL with a host, got '" + url + "'");
                }
                return url;
            } catch (java.net.URISyntaxException e) {
                throw bad(s, "is not a URL: " + e.getMessage());
            }
        }

        /** Needed only when InfluxDB export is on. */
        private String influx(Setting s) {
            return text(Setting.INFLUX_URL).isEmpty() ? text(s) : required(s);
        }

        private String text(Setting s) {
            return values.get(s);
        }

        private static String required(String value, Setting s) {
            if (value.isEmpty()) {
                throw bad(s, "must not be empty");
            }
            return value;
        }

        private String required(Setting s) {
            if (text(s).isEmpty()) {
                throw bad(s, "must not be empty");
            }
            return text(s);
        }

        private int integer(Setting s, int min, int max) {
            try {
                int v = Integer.parseInt(required(s));
                if (v < min || v > max) {
                    throw bad(s, "must be between " + min + " and " + max + ", got " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw bad(s, "must be a whole number, got '" + text(s) + "'");
            }
        }

        private Duration duration(Setting s) {
            try {
                Duration d = Durations.parse(required(s));
                if (d.isZero() || d.isNegative()) {
                    throw bad(s, "must be positive");
                }
                return d;
            } catch (IllegalArgumentException e) {
                throw bad(s, e.getMessage());
            }
        }

        /** Results are dropped a day at a time on PostgreSQL (daily partitions): a shorter retention means nothing. */
        private Duration atLeastADay(Setting s) {
            Duration d = duration(s);
            if (d.compareTo(Duration.ofDays(1)) < 0) {
                throw bad(s, "must be at least 1d, got '" + text(s) + "'");
            }
            return d;
        }

        private boolean bool(Setting s) {
            return switch (required(s).toLowerCase(java.util.Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(s, "must be true or false, got '" + text(s) + "'");
            };
        }

        private List<String> list(Setting s) {
            return Arrays.stream(text(s).split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
        }

        private static ConfigException bad(Setting s, String reason) {
            return new ConfigException(s.key() + " (" + s.env() + "): " + reason);
        }
    }
}
