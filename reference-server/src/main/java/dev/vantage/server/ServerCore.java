package dev.vantage.server;

import dev.vantage.probe.engine.PluginJar;
import dev.vantage.server.security.ratelimit.RateLimiter;
import dev.vantage.server.security.ratelimit.SharedRedis;
import dev.vantage.server.tls.ServerTls;
import java.util.Optional;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.Setting;
import dev.vantage.server.agents.store.AgentRecord;
import dev.vantage.server.alerting.incidents.IncidentStore;
import dev.vantage.server.alerting.incidents.NotificationQueue;
import dev.vantage.server.alerting.notify.ChannelStore;
import dev.vantage.server.alerting.silences.SilenceStore;
import dev.vantage.server.alerting.rules.RuleStore;
import dev.vantage.server.agents.store.AgentStore;
import dev.vantage.server.agents.certificates.AgentCertificateStore;
import dev.vantage.server.agents.certificates.AgentCertificates;
import dev.vantage.server.agents.store.EnrollmentTokenStore;
import dev.vantage.server.auth.ApiTokens;
import dev.vantage.server.auth.Authenticator;
import dev.vantage.server.auth.JwtService;
import dev.vantage.server.auth.Revocations;
import dev.vantage.server.auth.LoginThrottle;
import dev.vantage.server.security.PasswordPolicy;
import dev.vantage.server.security.Passwords;
import dev.vantage.server.auth.Sessions;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.instant.InstantTestStore;
import dev.vantage.server.results.InfluxExport;
import dev.vantage.server.dispatch.Dispatch;
import dev.vantage.server.audit.AuditLog;
import dev.vantage.server.audit.AuditStore;
import dev.vantage.server.results.ResultRetention;
import dev.vantage.server.results.ResultStore;
import dev.vantage.server.results.rollups.RollupStore;
import dev.vantage.server.results.rollups.Rollups;
import dev.vantage.server.sla.ObjectiveStore;
import dev.vantage.server.status.StatusPageStore;
import dev.vantage.server.tasks.TaskStore;
import dev.vantage.server.security.secrets.KeyRing;
import dev.vantage.server.users.AdminBootstrap;
import dev.vantage.server.users.UserStore;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's shared parts, made once at start and handed to every {@link dev.vantage.server.http.ApiModule}:
 * configuration, clock, database, metrics registry, the probe engine used to validate tasks, and the stores.
 * Plain Java objects, no container: a module takes what it needs in its constructor.
 */
public final class ServerCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCore.class);

    private final ServerConfig config;
    private final Clock clock;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final Database database;
    private final List<PluginJar> pluginJars;
    private final ProbeEngine engine;
    private final Passwords passwords;
    private final PasswordPolicy passwordPolicy;
    private final JwtService jwt;
    private final Sessions sessions;
    private final ApiTokens apiTokens;
    private final Authenticator authenticator;
    private final LoginThrottle loginThrottle;
    private final UserStore users;
    private final TaskStore tasks;
    private final ResultStore results;
    private final Rollups rollups;
    private final AgentStore agents;
    private final EnrollmentTokenStore enrollmentTokens;
    private final InstantTestStore instantTests;
    private final RuleStore alertRules;
    private final IncidentStore incidents;
    private final NotificationQueue notifications;
    private final ChannelStore channels;
    private final SilenceStore silences;
    private final StatusPageStore statusPages;
    private final ObjectiveStore slaObjectives;
    private final InfluxExport influx;
    private final ResultRetention retention;
    private final AuditLog audit;
    private final Dispatch dispatch;
    private final SharedRedis redis;
    private final RateLimiter rateLimiter;
    /** Null when the server speaks plain HTTP. */
    private final ServerTls tls;
    private final AgentCertificates agentCertificates;

    /** Makes the {@link Dispatch}; tests pass their own (the fault test's control run switches confirms off). */
    @FunctionalInterface
    public interface DispatchFactory {
        Dispatch create(ServerConfig config, ResultStore results, Database db, io.micrometer.core.instrument.MeterRegistry registry);
    }

    private ServerCore(ServerConfig config, Clock clock, PrintStream console, DispatchFactory dispatchFactory) {
        this.config = config;
        this.clock = clock;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        this.tls = config.tls().enabled() ? ServerTls.load(config.tls()) : null; // a bad file fails fast
        this.jwt = JwtService.create(config, clock); // before the database: a bad secret fails fast
        this.passwordPolicy = PasswordPolicy.of(config.passwordBlocklist()); // so does an unreadable password list
        this.pluginJars = loadPlugins(config); // so does a bad plugin jar
        // validation only: the engine never schedules here, and its meters stay out of /metrics
        this.engine = engine(pluginJars);
        // before the database, whose migration seals secrets stored in the clear: a bad key fails fast
        StoredSecrets secrets = new StoredSecrets(KeyRing.load(config), engine.descriptors());
        this.database = secrets.openDatabase(config, registry);
        this.passwords = new Passwords();
        this.sessions = new Sessions(database, jwt, config.sessionMaxAge(), clock);
        this.apiTokens = new ApiTokens(database, clock);
        this.authenticator = new Authenticator(jwt, apiTokens, database, clock);
        this.users = new UserStore(database, clock, new Revocations());
        try {
            AdminBootstrap.ensureAdmin(users, passwords, passwordPolicy, config.adminUsername(),
                    config.adminPassword(), console);
        } catch (RuntimeException e) {
            database.close(); // nothing else runs yet: a refused admin password leaves no open database behind
            throw e;
        }
        // one Redis connection, and one fallback to memory, for the rate limits and the failed-login throttle
        this.redis = SharedRedis.of(config.rateLimits());
        this.rateLimiter = new RateLimiter(config.rateLimits(), redis, clock);
        this.loginThrottle = new LoginThrottle(config.loginMaxFailures(), config.loginMaxFailuresPerAddress(),
                config.loginLockout(), config.loginMaxLockout(), redis, clock);
        this.tasks = new TaskStore(database, clock, secrets.specs());
        this.rollups = new Rollups(database, new RollupStore(database), ResultStore::epochEntries, clock,
                config.replicaId(), config.rollupFlushInterval(), registry);
        this.results = new ResultStore(database, clock, rollups);
        this.agents = new AgentStore(database, clock, config.replicaId());
        this.enrollmentTokens = new EnrollmentTokenStore(database, clock);
        // the CA issues on plain HTTP too: behind a TLS-terminating proxy the proxy checks the certificates
        this.agentCertificates = AgentCertificates.load(config.agentAuth().caCert(),
                config.agentAuth().caKey(), new AgentCertificateStore(database), secrets.box(),
                config.agentAuth().certificateLifetime(), clock, registry);
        if (tls != null) {
            tls.clientCertificates(agentCertificates);
        }
        this.instantTests = new InstantTestStore(database, secrets.specs());
        this.alertRules = new RuleStore(database, clock);
        this.incidents = new IncidentStore(database, clock);
        this.notifications = new NotificationQueue(database, clock, incidents);
        this.channels = new ChannelStore(database, clock, secrets.box());
        this.silences = new SilenceStore(database, clock);
        this.statusPages = new StatusPageStore(database, clock);
        this.slaObjectives = new ObjectiveStore(database, clock);
        this.influx = config.influxUrl().isEmpty() ? null : InfluxExport.start(config,
                agentId -> agents.get(agentId).map(AgentRecord::labels).orElse(Map.of()), registry, clock);
        if (influx != null) {
            results.addStoredListener(influx);
        }
        try {
            this.dispatch = dispatchFactory.create(config, results, database, registry);
        } catch (RuntimeException e) {
            database.close();
            redis.close();
            throw e;
        }
        if (!dispatch.distributed()) {
            agents.allOffline(); // the only server, just started: nothing is connected (replicas go by last_seen)
        }
        this.audit = new AuditLog(new AuditStore(database), clock);
        this.retention = new ResultRetention(database, config.resultsRetention(), config.rollupRetention(), clock)
                .alsoEachRound(() -> audit.applyRetention(config.auditRetention()))
                // an instant test (every /api/v1/probe scrape is one) is kept as long as its results
                .alsoEachRound(() -> instantTests.deleteOlderThan(clock.instant().minus(config.resultsRetention())))
                .start();
    }

    /**
     * Opens the database (migrating it), and creates the admin account on first start, printing a generated
     * password to {@code console} if none is configured.
     */
    public static ServerCore start(ServerConfig config, Clock clock, PrintStream console) {
        return start(config, clock, console, Dispatch::create);
    }

    public static ServerCore start(ServerConfig config, Clock clock, PrintStream console, DispatchFactory dispatch) {
        return new ServerCore(config, clock, console, dispatch);
    }

    /** The agents' CA and the checks of their certificates. */
    public AgentCertificates agentCertificates() {
        return agentCertificates;
    }

    /** The listener's certificate, when the server speaks HTTPS. */
    public Optional<ServerTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** The API's token buckets (in memory, or shared through Redis). */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    public ServerConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** The registry behind {@code /metrics}; register your meters here. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public Database database() {
        return database;
    }

    /** The plugin jars of {@code vantage.plugins-dir}; their types are in {@link #engine()} too. */
    public List<PluginJar> pluginJars() {
        return pluginJars;
    }

    /** An engine with every installed plugin, for {@link ProbeEngine#validate} and {@link ProbeEngine#descriptors}. */
    public ProbeEngine engine() {
        return engine;
    }

    public Passwords passwords() {
        return passwords;
    }

    /** What a new password must be; every way of setting one checks it. */
    public PasswordPolicy passwordPolicy() {
        return passwordPolicy;
    }

    public Sessions sessions() {
        return sessions;
    }

    public ApiTokens apiTokens() {
        return apiTokens;
    }

    /** Checks a bearer token (access JWT or API token) and returns the caller. */
    public Authenticator authenticator() {
        return authenticator;
    }

    public LoginThrottle loginThrottle() {
        return loginThrottle;
    }

    public UserStore users() {
        return users;
    }

    /** The tasks; register a {@link dev.vantage.server.tasks.TaskChangeListener} here to hear of changes. */
    public TaskStore tasks() {
        return tasks;
    }

    /** Where results are stored ({@link ResultStore#storeBatch}) and read. */
    public ResultStore results() {
        return results;
    }

    /** Rollups of the results per task, agent and 1m/1h/1d bucket, written as results are stored. */
    public Rollups rollups() {
        return rollups;
    }

    /** Agents: their credentials, labels, policies, capabilities and last heartbeat. */
    public AgentStore agents() {
        return agents;
    }

    public EnrollmentTokenStore enrollmentTokens() {
        return enrollmentTokens;
    }

    public InstantTestStore instantTests() {
        return instantTests;
    }

    public RuleStore alertRules() {
        return alertRules;
    }

    public IncidentStore incidents() {
        return incidents;
    }

    public NotificationQueue notifications() {
        return notifications;
    }

    public ChannelStore channels() {
        return channels;
    }

    public SilenceStore silences() {
        return silences;
    }

    /** Public status pages as admins composed them. */
    public StatusPageStore statusPages() {
        return statusPages;
    }

    /** SLA objectives per task. */
    public ObjectiveStore slaObjectives() {
        return slaObjectives;
    }

    /** Records every change made through the API (the HTTP edge reports them). */
    public AuditLog audit() {
        return audit;
    }

    /** Creates result partitions ahead and deletes results and rollups past their retention. */
    public ResultRetention retention() {
        return retention;
    }

    /** How accepted results reach the database, and how changes reach the other replicas. */
    public Dispatch dispatch() {
        return dispatch;
    }

    static List<PluginJar> loadPlugins(ServerConfig config) {
        try {
            List<PluginJar> jars = PluginJar.loadDirectory(config.pluginsDir());
            jars.forEach(j -> LOG.info("plugin jar {}", j));
            return jars;
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ConfigException(Setting.PLUGINS_DIR.key() + " (" + Setting.PLUGINS_DIR.env() + "): " + e.getMessage());
        }
    }

    /** The class path's plugins and the jars'; a type provided twice is a configuration error. */
    static ProbeEngine engine(List<PluginJar> jars) {
        ProbeEngine.Builder b = ProbeEngine.builder().discoverProviders(true);
        jars.forEach(b::addPluginJar);
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new ConfigException(Setting.PLUGINS_DIR.key() + " (" + Setting.PLUGINS_DIR.env() + "): " + e.getMessage());
        }
    }

    @Override
    public void close() {
        retention.close();
        dispatch.close();
        rollups.close(); // after dispatch: nothing stores results any more, so every count is written
        if (influx != null) {
            influx.close(); // delivers what is queued
        }
        engine.close();
        database.close();
        gcMetrics.close();
        registry.close();
        if (tls != null) {
            tls.close();
        }
        redis.close();
    }
}
