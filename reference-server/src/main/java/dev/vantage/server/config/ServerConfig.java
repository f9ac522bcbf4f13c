package dev.vantage.server.config;

import dev.vantage.agent.protocol.Policy;
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
        Tls tls,
        long maxBodyBytes,
        Path dataDir,
        Path pluginsDir,
        String dbUrl,
        String dbUser,
        Secret dbPassword,
        int dbPoolSize,
        Duration dbConnectTimeout,
        Duration dbStatementTimeout,
        String adminUsername,
        Secret adminPassword,
        Secret jwtSecret,
        String jwtIssuer,
        String jwtAudience,
        SecretKeys secretKeys,
        Duration accessTokenTtl,
        Duration refreshTokenTtl,
        Duration sessionMaxAge,
        String passwordBlocklist,
        int loginMaxFailures,
        int loginMaxFailuresPerAddress,
        Duration loginLockout,
        Duration loginMaxLockout,
        RateLimits rateLimits,
        boolean localAgentEnabled,
        List<Policy.PortRange> localAgentLoopbackPorts,
        Duration localAgentDiagnosisEvery,
        String localAgentDiagnosisResolver,
        Duration agentHeartbeat,
        List<String> corsAllowedOrigins,
        int resultsMaxAggregateRows,
        boolean resultsMetrics,
        Duration resultsRetention,
        RollupRetention rollupRetention,
        Duration rollupFlushInterval,
        Duration auditRetention,
        String publicUrl,
        boolean notifyAllowLoopback,
        boolean notifyAllowPrivate,
        String influxUrl,
        Secret influxToken,
        String influxOrg,
        String influxBucket,
        String replicaId,
        Amqp amqp,
        AgentAuth agentAuth) {

    /**
     * How agents authenticate (docs/security.md "Agent certificates").
     *
     * @param bearerAllowed       {@code certificate-or-bearer}: the enrolled bearer credential still works beside
     *                            a certificate; {@code certificate}: only a certificate of the agents' CA does
     * @param caCert              PEM certificate of a CA given to the server; {@code null}: the server keeps its own
     * @param caKey               its PEM private key
     * @param certificateLifetime how long an issued client certificate is valid; agents renew at two thirds of it
     * @param trustedProxies      addresses whose {@code X-Client-Cert} header (a TLS-terminating proxy's forwarded
     *                            client certificate) is believed; from anyone else the header is ignored
     */
    public record AgentAuth(boolean bearerAllowed, Path caCert, Path caKey, Duration certificateLifetime,
                            List<String> trustedProxies) {
    }

    /**
     * The HTTPS listener; off (plain HTTP) when {@code cert} is {@code null}.
     *
     * @param cert           PEM certificate chain, the server's own certificate first
     * @param key            PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY})
     * @param allowTls12     accept TLS 1.2 clients too; TLS 1.3 only otherwise
     * @param reloadInterval how often the two files are read again; a change is served to new connections
     */
    public record Tls(Path cert, Path key, boolean allowTls12, Duration reloadInterval) {
        public boolean enabled() {
            return cert != null;
        }
    }

    /**
     * The keys that encrypt secrets stored in the database (docs/security.md); checked when the server starts.
     *
     * @param keys      {@code <id>:<base64 of 32 bytes>,...}; empty: the key in {@code <data-dir>/secrets.key}
     * @param currentId the key that seals new values; may be empty when there is one key
     */
    public record SecretKeys(Secret keys, String currentId) {
    }

    /**
     * Token buckets on API routes (docs/security.md), shared through Redis when {@code redisUrl} is set.
     *
     * @param perAddress  every API request, per client address
     * @param perUser     authenticated requests of a login session, per user
     * @param perToken    authenticated requests made with an API token, per token
     * @param signIn      login, token refresh and agent enrollment, per client address, on top of {@code perAddress}
     * @param redisUrl    {@code redis://[:password@]host:6379/0}; empty: each replica counts alone, in memory
     * @param redisPrefix keys in Redis start with it, so several deployments share a Redis
     */
    public record RateLimits(RateLimit perAddress, RateLimit perUser, RateLimit perToken, RateLimit signIn,
                             Secret redisUrl, String redisPrefix) {
    }

    /** {@code capacity} requests at once, refilled evenly over {@code period}: written {@code 600/1m}. */
    public record RateLimit(int capacity, Duration period) {
        @Override
        public String toString() {
            return capacity + "/" + Durations.format(period);
        }
    }

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

    /**
     * How long rollups of each resolution are kept ({@code vantage.results.rollups.*}); {@code null} is forever.
     * Each keeps at least as long as the finer one: a coarse bucket outlives the fine ones it sums up.
     */
    public record RollupRetention(Duration minute, Duration hour, Duration day) {
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
                + ";WRITE_DELAY=0"
                // the server closes the database last, in its own shutdown hook; H2's hook would close it under the
                // services still stopping (a notifier's last claim then logged "Database is already closed")
                + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** Turns text values into typed ones, naming the key and variable of the first bad one. */
    private record Reader(Map<Setting, String> values) {
        ServerConfig read() {
            return new ServerConfig(
                    text(Setting.SERVER_HOST),
                    integer(Setting.SERVER_PORT, 0, 65535),
                    tls(),
                    integer(Setting.MAX_BODY_BYTES, 1024, Integer.MAX_VALUE),
                    Path.of(text(Setting.DATA_DIR).isEmpty() ? "data" : text(Setting.DATA_DIR)),
                    Path.of(text(Setting.PLUGINS_DIR).isEmpty() ? "plugins" : text(Setting.PLUGINS_DIR)),
                    text(Setting.DB_URL),
                    text(Setting.DB_USER),
                    new Secret(text(Setting.DB_PASSWORD)),
                    integer(Setting.DB_POOL_SIZE, 1, 1000),
                    duration(Setting.DB_CONNECT_TIMEOUT),
                    duration(Setting.DB_STATEMENT_TIMEOUT),
                    required(Setting.ADMIN_USERNAME),
                    new Secret(text(Setting.ADMIN_PASSWORD)),
                    new Secret(text(Setting.JWT_SECRET)),
                    required(Setting.JWT_ISSUER),
                    required(Setting.JWT_AUDIENCE),
                    new SecretKeys(new Secret(text(Setting.SECRETS_KEYS)), text(Setting.SECRETS_KEY_ID)),
                    duration(Setting.ACCESS_TOKEN_TTL),
                    duration(Setting.REFRESH_TOKEN_TTL),
                    duration(Setting.SESSION_MAX_AGE),
                    text(Setting.PASSWORD_BLOCKLIST),
                    integer(Setting.LOGIN_MAX_FAILURES, 1, 1000),
                    integer(Setting.LOGIN_MAX_FAILURES_PER_ADDRESS, 1, 100_000),
                    duration(Setting.LOGIN_LOCKOUT),
                    duration(Setting.LOGIN_MAX_LOCKOUT),
                    new RateLimits(rate(Setting.RATE_LIMIT_PER_ADDRESS), rate(Setting.RATE_LIMIT_PER_USER),
                            rate(Setting.RATE_LIMIT_PER_TOKEN), rate(Setting.RATE_LIMIT_SIGN_IN),
                            new Secret(redisUrl(Setting.REDIS_URL)), required(Setting.REDIS_PREFIX)),
                    bool(Setting.LOCAL_AGENT_ENABLED),
                    ports(Setting.LOCAL_AGENT_LOOPBACK_PORTS),
                    duration(Setting.LOCAL_AGENT_DIAGNOSIS_EVERY),
                    text(Setting.LOCAL_AGENT_DIAGNOSIS_RESOLVER),
                    duration(Setting.AGENT_HEARTBEAT),
                    list(Setting.CORS_ALLOWED_ORIGINS),
                    integer(Setting.RESULTS_MAX_AGGREGATE_ROWS, 1, 10_000_000),
                    bool(Setting.RESULTS_METRICS),
                    atLeastADay(Setting.RESULTS_RETENTION),
                    rollupRetention(),
                    rollupFlushInterval(),
                    forever(Setting.AUDIT_RETENTION),
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
                            integer(Setting.AMQP_PREFETCH, 1, 65535)),
                    agentAuth());
        }

        private AgentAuth agentAuth() {
            String mode = required(Setting.AGENT_AUTH);
            if (!mode.equals("certificate") && !mode.equals("certificate-or-bearer")) {
                throw bad(Setting.AGENT_AUTH, "must be certificate or certificate-or-bearer, got '" + mode + "'");
            }
            String cert = text(Setting.AGENT_CA_CERT);
            String key = text(Setting.AGENT_CA_KEY);
            if (cert.isEmpty() != key.isEmpty()) {
                throw bad(cert.isEmpty() ? Setting.AGENT_CA_CERT : Setting.AGENT_CA_KEY, "must be set together with "
                        + (cert.isEmpty() ? Setting.AGENT_CA_KEY : Setting.AGENT_CA_CERT).env());
            }
            for (Setting s : new Setting[] {Setting.AGENT_CA_CERT, Setting.AGENT_CA_KEY}) {
                if (!text(s).isEmpty() && !java.nio.file.Files.isReadable(Path.of(text(s)))) {
                    throw bad(s, "cannot read the file " + text(s));
                }
            }
            if (mode.equals("certificate") && text(Setting.TLS_CERT).isEmpty() && text(Setting.TLS_TRUSTED_PROXIES).isEmpty()) {
                throw bad(Setting.AGENT_AUTH, "certificate needs the HTTPS listener (" + Setting.TLS_CERT.env()
                        + ") or a TLS-terminating proxy (" + Setting.TLS_TRUSTED_PROXIES.env() + ")");
            }
            if (mode.equals("certificate") && bool(Setting.LOCAL_AGENT_ENABLED)) {
                throw bad(Setting.AGENT_AUTH, "certificate needs the built-in local agent off ("
                        + Setting.LOCAL_AGENT_ENABLED.env() + "=false): it authenticates with a bearer credential");
            }
            Duration lifetime = duration(Setting.AGENT_CERT_LIFETIME);
            if (lifetime.compareTo(Duration.ofSeconds(3)) < 0) {
                throw bad(Setting.AGENT_CERT_LIFETIME, "must be at least 3s");
            }
            List<String> proxies = list(Setting.TLS_TRUSTED_PROXIES);
            for (String p : proxies) {
                // addresses only, never names: a name would be resolved outside and could be made to match anyone
                if (!p.matches("[0-9.]+|[0-9A-Fa-f:]+") || p.matches(".*(^|\\.)0[0-9].*")) {
                    throw bad(Setting.TLS_TRUSTED_PROXIES, "must list IP addresses, got '" + p + "'");
                }
            }
            return new AgentAuth(mode.equals("certificate-or-bearer"), cert.isEmpty() ? null : Path.of(cert),
                    key.isEmpty() ? null : Path.of(key), lifetime, proxies);
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

        /** Both files or neither; each must exist (their content is checked when the listener is made). */
        private Tls tls() {
            String cert = text(Setting.TLS_CERT);
            String key = text(Setting.TLS_KEY);
            if (cert.isEmpty() != key.isEmpty()) {
                throw bad(cert.isEmpty() ? Setting.TLS_CERT : Setting.TLS_KEY,
                        "must be set together with " + (cert.isEmpty() ? Setting.TLS_KEY : Setting.TLS_CERT).env());
            }
            boolean allowTls12 = bool(Setting.TLS_ALLOW_TLS12);
            Duration interval = duration(Setting.TLS_RELOAD_INTERVAL);
            if (cert.isEmpty()) {
                return new Tls(null, null, allowTls12, interval);
            }
            for (Setting s : new Setting[] {Setting.TLS_CERT, Setting.TLS_KEY}) {
                if (!java.nio.file.Files.isReadable(Path.of(text(s)))) {
                    throw bad(s, "cannot read the file " + text(s));
                }
            }
            return new Tls(Path.of(cert), Path.of(key), allowTls12, interval);
        }

        /** {@code 600/1m}: 600 requests at once, refilled evenly over a minute. */
        private RateLimit rate(Setting s) {
            String[] parts = required(s).split("/", -1);
            try {
                if (parts.length != 2) {
                    throw new IllegalArgumentException("no /");
                }
                int capacity = Integer.parseInt(parts[0].trim());
                Duration period = Durations.parse(parts[1].trim());
                if (capacity < 1 || capacity > 10_000_000 || !period.isPositive() || period.compareTo(Duration.ofDays(1)) > 0) {
                    throw new IllegalArgumentException("out of range");
                }
                return new RateLimit(capacity, period);
            } catch (IllegalArgumentException e) {
                throw bad(s, "must be requests/period with 1-10000000 requests and a period up to 1d, e.g. 600/1m; got '"
                        + text(s) + "'");
            }
        }

        /** Empty, or a redis:// or rediss:// URL with a host. */
        private String redisUrl(Setting s) {
            String url = text(s);
            if (url.isEmpty()) {
                return url;
            }
            try {
                java.net.URI uri = new java.net.URI(url);
                if (uri.getScheme() == null || !uri.getScheme().matches("rediss?") || uri.getHost() == null) {
                    throw bad(s, "must be a redis:// or rediss:// URL with a host");
                }
                return url;
            } catch (java.net.URISyntaxException e) {
                throw bad(s, "is not a URL"); // never the text: it may hold a password
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

        /** How often counted results are written to the rollups: at most a minute, so that another replica never takes
         *  a slow epoch for a crashed one's (Rollups.MAX_FLUSH_INTERVAL, ORPHAN_AFTER). */
        private Duration rollupFlushInterval() {
            Duration d = duration(Setting.ROLLUPS_FLUSH_INTERVAL);
            if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
                throw bad(Setting.ROLLUPS_FLUSH_INTERVAL, "must be from 100ms to 1m");
            }
            return d;
        }

        private RollupRetention rollupRetention() {
            Duration minute = forever(Setting.ROLLUPS_RETENTION_1M);
            Duration hour = forever(Setting.ROLLUPS_RETENTION_1H);
            Duration day = forever(Setting.ROLLUPS_RETENTION_1D);
            if (shorter(hour, minute)) {
                throw bad(Setting.ROLLUPS_RETENTION_1H, "must not be shorter than " + Setting.ROLLUPS_RETENTION_1M.key());
            }
            if (shorter(day, hour)) {
                throw bad(Setting.ROLLUPS_RETENTION_1D, "must not be shorter than " + Setting.ROLLUPS_RETENTION_1H.key());
            }
            return new RollupRetention(minute, hour, day);
        }

        private static boolean shorter(Duration a, Duration b) {
            return a != null && (b == null || a.compareTo(b) < 0);
        }

        /** {@code forever} ({@code null}), or a retention of at least a day. */
        private Duration forever(Setting s) {
            return text(s).equals("forever") ? null : atLeastADay(s);
        }

        private boolean bool(Setting s) {
            return switch (required(s).toLowerCase(java.util.Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(s, "must be true or false, got '" + text(s) + "'");
            };
        }

        /** Ports and port ranges, {@code 0,8081,9000-9099}; empty means none. */
        private List<Policy.PortRange> ports(Setting s) {
            List<Policy.PortRange> ports = new ArrayList<>();
            for (String entry : list(s)) {
                String[] ends = entry.split("-", -1);
                try {
                    int from = Integer.parseInt(ends[0].trim());
                    int to = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : from;
                    if (ends.length > 2 || from < 0 || to > 65535 || from > to) {
                        throw new NumberFormatException();
                    }
                    ports.add(new Policy.PortRange(from, to));
                } catch (NumberFormatException e) {
                    throw bad(s, "'" + entry + "' is not a port or a port range (0-65535, e.g. 8081 or 9000-9099)");
                }
            }
            return List.copyOf(ports);
        }

        private List<String> list(Setting s) {
            return Arrays.stream(text(s).split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
        }

        private static ConfigException bad(Setting s, String reason) {
            return new ConfigException(s.key() + " (" + s.env() + "): " + reason);
        }
    }
}
