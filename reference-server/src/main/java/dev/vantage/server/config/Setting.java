package dev.vantage.server.config;

/**
 * Every configuration key the server reads, with the environment variable that overrides it. Defaults live in
 * {@code application.yaml}; {@code docs/configuration.md} explains each one (a test keeps the three in step).
 */
public enum Setting {
    SERVER_HOST("server.host", "SERVER_HOST"),
    SERVER_PORT("server.port", "SERVER_PORT"),
    TLS_CERT("server.tls.cert", "VANTAGE_TLS_CERT"),
    TLS_KEY("server.tls.key", "VANTAGE_TLS_KEY"),
    TLS_ALLOW_TLS12("server.tls.allow-tls12", "VANTAGE_TLS_ALLOW_TLS12"),
    TLS_RELOAD_INTERVAL("server.tls.reload-interval", "VANTAGE_TLS_RELOAD_INTERVAL"),
    MAX_BODY_BYTES("server.max-body-bytes", "SERVER_MAX_BODY_BYTES"),
    DATA_DIR("vantage.data-dir", "VANTAGE_DATA_DIR"),
    PLUGINS_DIR("vantage.plugins-dir", "VANTAGE_PLUGINS_DIR"),
    DB_URL("vantage.db.url", "VANTAGE_DB_URL"),
    DB_USER("vantage.db.user", "VANTAGE_DB_USER"),
    DB_PASSWORD("vantage.db.password", "VANTAGE_DB_PASSWORD"),
    DB_POOL_SIZE("vantage.db.pool-size", "VANTAGE_DB_POOL_SIZE"),
    DB_CONNECT_TIMEOUT("vantage.db.connect-timeout", "VANTAGE_DB_CONNECT_TIMEOUT"),
    DB_STATEMENT_TIMEOUT("vantage.db.statement-timeout", "VANTAGE_DB_STATEMENT_TIMEOUT"),
    ADMIN_USERNAME("vantage.admin.username", "VANTAGE_ADMIN_USERNAME"),
    ADMIN_PASSWORD("vantage.admin.password", "VANTAGE_ADMIN_PASSWORD"),
    JWT_SECRET("vantage.auth.jwt-secret", "VANTAGE_JWT_SECRET"),
    JWT_ISSUER("vantage.auth.issuer", "VANTAGE_JWT_ISSUER"),
    JWT_AUDIENCE("vantage.auth.audience", "VANTAGE_JWT_AUDIENCE"),
    SECRETS_KEYS("vantage.secrets.keys", "VANTAGE_SECRETS_KEYS"),
    SECRETS_KEY_ID("vantage.secrets.key-id", "VANTAGE_SECRETS_KEY_ID"),
    ACCESS_TOKEN_TTL("vantage.auth.access-token-ttl", "VANTAGE_ACCESS_TOKEN_TTL"),
    REFRESH_TOKEN_TTL("vantage.auth.refresh-token-ttl", "VANTAGE_REFRESH_TOKEN_TTL"),
    SESSION_MAX_AGE("vantage.auth.session-max-age", "VANTAGE_SESSION_MAX_AGE"),
    PASSWORD_BLOCKLIST("vantage.auth.password-blocklist", "VANTAGE_PASSWORD_BLOCKLIST"),
    LOGIN_MAX_FAILURES("vantage.auth.login.max-failures", "VANTAGE_LOGIN_MAX_FAILURES"),
    LOGIN_MAX_FAILURES_PER_ADDRESS("vantage.auth.login.max-failures-per-address", "VANTAGE_LOGIN_MAX_FAILURES_PER_ADDRESS"),
    LOGIN_LOCKOUT("vantage.auth.login.lockout", "VANTAGE_LOGIN_LOCKOUT"),
    LOGIN_MAX_LOCKOUT("vantage.auth.login.max-lockout", "VANTAGE_LOGIN_MAX_LOCKOUT"),
    RATE_LIMIT_PER_ADDRESS("vantage.rate-limit.per-address", "VANTAGE_RATE_LIMIT_PER_ADDRESS"),
    RATE_LIMIT_PER_USER("vantage.rate-limit.per-user", "VANTAGE_RATE_LIMIT_PER_USER"),
    RATE_LIMIT_PER_TOKEN("vantage.rate-limit.per-token", "VANTAGE_RATE_LIMIT_PER_TOKEN"),
    RATE_LIMIT_SIGN_IN("vantage.rate-limit.sign-in", "VANTAGE_RATE_LIMIT_SIGN_IN"),
    REDIS_URL("vantage.redis.url", "VANTAGE_REDIS_URL"),
    REDIS_PREFIX("vantage.redis.prefix", "VANTAGE_REDIS_PREFIX"),
    LOCAL_AGENT_ENABLED("vantage.local-agent.enabled", "VANTAGE_LOCAL_AGENT"),
    LOCAL_AGENT_LOOPBACK_PORTS("vantage.local-agent.loopback-ports", "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS"),
    LOCAL_AGENT_DIAGNOSIS_EVERY("vantage.local-agent.diagnosis-every", "VANTAGE_LOCAL_AGENT_DIAGNOSIS_EVERY"),
    LOCAL_AGENT_DIAGNOSIS_RESOLVER("vantage.local-agent.diagnosis-resolver", "VANTAGE_LOCAL_AGENT_DIAGNOSIS_RESOLVER"),
    AGENT_HEARTBEAT("vantage.agents.heartbeat-interval", "VANTAGE_AGENT_HEARTBEAT"),
    CORS_ALLOWED_ORIGINS("vantage.cors.allowed-origins", "VANTAGE_CORS_ALLOWED_ORIGINS"),
    RESULTS_MAX_AGGREGATE_ROWS("vantage.results.max-aggregate-rows", "VANTAGE_RESULTS_MAX_AGGREGATE_ROWS"),
    RESULTS_METRICS("vantage.results.metrics", "VANTAGE_RESULTS_METRICS"),
    RESULTS_RETENTION("vantage.results.retention", "VANTAGE_RESULTS_RETENTION"),
    ROLLUPS_RETENTION_1M("vantage.results.rollups.retention-1m", "VANTAGE_ROLLUPS_RETENTION_1M"),
    ROLLUPS_RETENTION_1H("vantage.results.rollups.retention-1h", "VANTAGE_ROLLUPS_RETENTION_1H"),
    ROLLUPS_RETENTION_1D("vantage.results.rollups.retention-1d", "VANTAGE_ROLLUPS_RETENTION_1D"),
    ROLLUPS_FLUSH_INTERVAL("vantage.results.rollups.flush-interval", "VANTAGE_ROLLUPS_FLUSH_INTERVAL"),
    AUDIT_RETENTION("vantage.audit.retention", "VANTAGE_AUDIT_RETENTION"),
    PUBLIC_URL("vantage.public-url", "VANTAGE_PUBLIC_URL"),
    NOTIFY_ALLOW_LOOPBACK("vantage.alerting.notify-allow-loopback", "VANTAGE_NOTIFY_ALLOW_LOOPBACK"),
    NOTIFY_ALLOW_PRIVATE("vantage.alerting.notify-allow-private", "VANTAGE_NOTIFY_ALLOW_PRIVATE"),
    INFLUX_URL("vantage.influx.url", "VANTAGE_INFLUX_URL"),
    INFLUX_TOKEN("vantage.influx.token", "VANTAGE_INFLUX_TOKEN"),
    INFLUX_ORG("vantage.influx.org", "VANTAGE_INFLUX_ORG"),
    INFLUX_BUCKET("vantage.influx.bucket", "VANTAGE_INFLUX_BUCKET"),
    REPLICA_ID("vantage.replica-id", "VANTAGE_REPLICA_ID"),
    AMQP_URI("vantage.amqp.uri", "VANTAGE_AMQP_URI"),
    AMQP_PREFIX("vantage.amqp.prefix", "VANTAGE_AMQP_PREFIX"),
    AMQP_DELIVERY_LIMIT("vantage.amqp.delivery-limit", "VANTAGE_AMQP_DELIVERY_LIMIT"),
    AMQP_CONFIRM_TIMEOUT("vantage.amqp.confirm-timeout", "VANTAGE_AMQP_CONFIRM_TIMEOUT"),
    AMQP_PREFETCH("vantage.amqp.prefetch", "VANTAGE_AMQP_PREFETCH"),
    AGENT_AUTH("vantage.agents.auth", "VANTAGE_AGENT_AUTH"),
    AGENT_CA_CERT("vantage.agents.ca-cert", "VANTAGE_AGENT_CA_CERT"),
    AGENT_CA_KEY("vantage.agents.ca-key", "VANTAGE_AGENT_CA_KEY"),
    AGENT_CERT_LIFETIME("vantage.agents.certificate-lifetime", "VANTAGE_AGENT_CERT_LIFETIME"),
    TLS_TRUSTED_PROXIES("server.tls.trusted-proxies", "VANTAGE_TLS_TRUSTED_PROXIES");

    private final String key;
    private final String env;

    Setting(String key, String env) {
        this.key = key;
        this.env = env;
    }

    public String key() {
        return key;
    }

    public String env() {
        return env;
    }
}
