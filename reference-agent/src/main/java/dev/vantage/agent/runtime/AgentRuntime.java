package dev.vantage.agent.runtime;

import dev.vantage.agent.blackbox.BlackboxConfig;
import dev.vantage.agent.blackbox.BlackboxProber;
import dev.vantage.agent.metrics.AgentMeters;
import dev.vantage.agent.metrics.HeartbeatMeters;
import dev.vantage.agent.metrics.MetricsServer;
import dev.vantage.agent.protocol.AgentMeter;
import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.ProtocolVersions;
import dev.vantage.agent.spool.Spool;
import dev.vantage.agent.update.Updater;
import dev.vantage.agent.update.Versions;
import java.security.PublicKey;
import dev.vantage.agent.spool.SpoolSink;
import dev.vantage.agent.uplink.Backoff;
import dev.vantage.agent.uplink.ServerTrust;
import dev.vantage.agent.uplink.Uplink;
import dev.vantage.probe.engine.EngineStats;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.sink.ResultMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running Vantage agent: a probe engine whose tasks come from the server over the agent WebSocket, whose
 * results go through a disk spool to the server, and which keeps probing and spooling while the server is away.
 * The {@code vantage-agent run} command is a thin wrapper; the server runs its built-in local agent in-process with
 * the same class:
 *
 * <pre>{@code
 * AgentCredential id = Enrollment.enroll(URI.create("ws://127.0.0.1:8080/ws/agent"), token, "local", Map.of());
 * try (AgentRuntime agent = AgentRuntime.builder().server(URI.create("ws://127.0.0.1:8080/ws/agent"))
 *         .credential(id).dataDir(Path.of("agent-data")).label("region", "local").build().start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Lifecycle and threads.</b> {@link #start()} opens the spool, builds the engine, detects capabilities (one
 * ICMP echo to 127.0.0.1, up to a few seconds) and starts the uplink's virtual thread; it returns at once after
 * that. {@link #close()} stops scheduling, lets the engine flush its results into the spool, sends what it can
 * within a short grace period and closes the WebSocket. The engine's own threads run the probes; the uplink thread
 * applies the server's messages. {@link #terminated()} completes after {@code close()}, or exceptionally with
 * {@link dev.vantage.agent.uplink.CredentialRejectedException} when the server refuses the credential (HTTP 401): the
 * runtime does not retry then, and its owner should close it.
 */
public final class AgentRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRuntime.class);

    private final Builder config;
    private volatile ProbeEngine engine;
    private Spool spool;
    private Uplink uplink;
    private CertificateRenewal renewal;
    private MetricsServer metricsServer;
    private AgentMeters agentMeters;
    private volatile boolean closed;

    private AgentRuntime(Builder b) {
        this.config = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts probing and connecting. Returns this runtime.
     *
     * @throws UncheckedIOException if the spool directory cannot be opened
     */
    public synchronized AgentRuntime start() {
        if (uplink != null) {
            throw new IllegalStateException("already started");
        }
        try {
            AgentCredential.createOwnerOnlyDirectories(config.dataDir);
            spool = Spool.open(config.dataDir.resolve("spool"), config.spoolMaxBytes, config.spoolMaxAge, Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the spool in " + config.dataDir + ": " + e.getMessage(), e);
        }
        // the uplink first: the spool sink wakes it whenever a batch is on disk; it connects once the engine exists
        Uplink up = new Uplink(new Uplink.Settings(config.servers, config.credential.authorization(), config.backoff,
                config.maxUnackedBatches, config.welcomeTimeout, config.connectTimeout, config.tls), spool);
        Diagnosis diagnosis = new Diagnosis(config.diagnosisEvery, config.diagnosisResolver, System::nanoTime);
        ProbeEngine.Builder eb = ProbeEngine.builder()
                // a batch is one spool file (written, forced, renamed, deleted), one frame and one server commit:
                // its cost hardly depends on its size, so let results gather a while (up to 200, which keeps frames
                // well below common WebSocket size limits); 100 ms is small beside a 1 s interval
                .sinkBatchSize(200)
                .sinkLinger(Duration.ofMillis(100))
                .addSink(new SpoolSink(spool, up::wake))
                .followUps(diagnosis);
        // the agent's meters exist without a listener too: heartbeats forward them to the server
        MeterRegistry registry = config.metricsListen != null ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                : new SimpleMeterRegistry();
        eb.meterRegistry(registry);
        ResultMetrics resultMetrics = null;
        if (config.metricsListen != null) {
            resultMetrics = new ResultMetrics(registry);
            // instant tests and /probe runs are not scheduled: they make no series
            eb.addSink(resultMetrics.sink(config.credential.agentId(), id -> engine != null && engine.isScheduled(id)));
        }
        config.engineOptions.accept(eb);
        engine = eb.build();
        agentMeters = new AgentMeters(registry, spool, up, config.dataDir);
        HeartbeatMeters heartbeatMeters = new HeartbeatMeters(registry);
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            try {
                metricsServer = new MetricsServer(config.metricsListen, prometheus,
                        new BlackboxProber(engine, config.blackbox));
            } catch (RuntimeException e) {
                agentMeters.close();
                engine.close();
                throw e;
            }
        }
        Updater updater = new Updater(new Versions(config.dataDir), config.launch, config.releaseKey, up::server,
                config.credential.authorization(), config.tls, up::send, config.switchNow);
        String version = updater.release() != null ? updater.release() : version();
        Message.Hello hello = new Message.Hello(ProtocolVersions.MIN, ProtocolVersions.MAX, version,
                AgentCapabilities.detect(engine), config.labels);
        diagnosis.capabilities(engine.descriptors().keySet(), hello.capabilities().icmpMode());
        ResultMetrics surfaced = resultMetrics;
        // a task the agent stops running takes its result series with it
        TaskSet tasks = new TaskSet(engine, surfaced == null ? id -> { } : surfaced::removeTask);
        Uplink.Agent agent = new Uplink.Agent() {
            @Override
            public Message.Hello hello() {
                return hello;
            }

            @Override
            public List<Message> apply(Message fromServer) {
                if (fromServer instanceof Message.Update u) {
                    return updater.apply(u);
                }
                List<Message> replies = tasks.apply(fromServer);
                if (fromServer instanceof Message.Welcome w && w.protocol() >= ProtocolVersions.UPDATES) {
                    replies = new java.util.ArrayList<>(replies);
                    replies.addAll(updater.welcomed());
                }
                return replies;
            }

            @Override
            public Message.AgentStats stats() {
                return AgentRuntime.this.stats();
            }

            @Override
            public Map<AgentMeter, Double> meters() {
                return heartbeatMeters.snapshot();
            }
        };
        LOG.info("agent {} starting: server {}, data in {}, {} plugins, ICMP {}", config.credential.agentId(),
                config.servers, config.dataDir, hello.capabilities().plugins().size(), hello.capabilities().icmpMode());
        if (config.clientCertificate != null) {
            renewal = new CertificateRenewal(config.clientCertificate, up::server, config.credential.authorization(),
                    config.tls);
        }
        uplink = up; // set last: a runtime whose start failed is not started
        uplink.start(agent);
        return this;
    }

    /** Completes when the runtime stopped: normally after {@link #close()}, exceptionally on a revoked credential. */
    public CompletionStage<Void> terminated() {
        if (uplink == null) {
            throw new IllegalStateException("not started");
        }
        return uplink.terminated();
    }

    /** Whether the agent is connected to the server and welcomed. */
    public boolean connected() {
        return uplink != null && uplink.connected();
    }

    /** Connections tried since start: 1 while the first one holds, more after every reconnect. */
    public int connectionAttempts() {
        return uplink == null ? 0 : uplink.connectionAttempts();
    }

    /** Where {@code /metrics} and {@code /probe} are served, when the runtime was built with a metrics listener. */
    public Optional<InetSocketAddress> metricsAddress() {
        return Optional.ofNullable(metricsServer).map(MetricsServer::address);
    }

    /** What the next heartbeat would report. */
    public Message.AgentStats stats() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        double cpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getCpuLoad()) : 0;
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : Runtime.getRuntime().maxMemory();
        EngineStats es = engine.stats();
        // results the engine could not even hand to the spool (its queue full) are lost too: count them
        long sinkDropped = es.sinks().stream().mapToLong(EngineStats.SinkStats::dropped).sum();
        Spool.Stats ss = spool.stats();
        return new Message.AgentStats(cpu, os.getSystemLoadAverage(), heap.getUsed(), max, es.scheduledTasks(),
                ss.results(), ss.bytes(), ss.droppedResults() + sinkDropped);
    }

    /**
     * Stops scheduling, flushes the engine's results into the spool, sends what it can within the grace period
     * (2 s by default), and closes the connection. Spooled results not acked by then are sent after the next start.
     */
    @Override
    public synchronized void close() {
        if (closed || uplink == null) {
            closed = true;
            return;
        }
        closed = true;
        LOG.info("agent stopping");
        if (renewal != null) {
            renewal.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        agentMeters.close();
        // stop scheduling, and give attempts in flight a moment to end on their own rather than as CANCELLED
        engine.scheduledTasks().forEach(t -> engine.unschedule(t.id()));
        long until = System.nanoTime() + config.shutdownGrace.toNanos() / 2;
        while (engine.stats().inFlight() > 0 && System.nanoTime() < until) {
            LockSupport.parkNanos(10_000_000);
        }
        engine.close(); // delivers every queued result to the spool sink
        uplink.close(config.shutdownGrace);
        LOG.info("agent stopped; {} results stay spooled", spool.stats().results());
    }

    private static String version() {
        String v = AgentRuntime.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Configures an {@link AgentRuntime}; server, credential and data directory are required. */
    public static final class Builder {
        private List<URI> servers;
        private AgentCredential credential;
        private Path dataDir;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private long spoolMaxBytes = 256L << 20;
        private Duration spoolMaxAge = Duration.ofDays(7);
        private Backoff backoff = Backoff.DEFAULT;
        private int maxUnackedBatches = 8;
        private Duration welcomeTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration shutdownGrace = Duration.ofSeconds(2);
        private Consumer<ProbeEngine.Builder> engineOptions = b -> { };
        private InetSocketAddress metricsListen;
        private javax.net.ssl.SSLContext tls = ServerTrust.system();
        private dev.vantage.agent.uplink.ClientCertificate clientCertificate;
        private BlackboxConfig blackbox;
        private Duration diagnosisEvery = Duration.ofMinutes(5);
        private String diagnosisResolver;
        private Versions.Launch launch;
        private PublicKey releaseKey;
        private Runnable switchNow = () -> { };

        private Builder() {
        }

        /**
         * Lets the agent take {@code update} orders (docs/agent-updates.md): {@code launch} is what the launcher
         * said (null when not started by {@code vantage-agent launch}: orders are refused), {@code releaseKey} the
         * pinned release key (null: orders are refused), and {@code switchNow} stops this agent so that the launcher
         * starts the installed version.
         */
        public Builder selfUpdate(Versions.Launch launch, PublicKey releaseKey, Runnable switchNow) {
            this.launch = launch;
            this.releaseKey = releaseKey;
            this.switchNow = Objects.requireNonNull(switchNow, "switchNow");
            return this;
        }

        /** The agent WebSocket, e.g. {@code ws://host:8080/ws/agent} or {@code wss://...}. */
        public Builder server(URI server) {
            return servers(List.of(Objects.requireNonNull(server, "server")));
        }

        /**
         * Several replicas' agent WebSockets: the agent connects to one and moves on to the next in turn when a
         * connection fails or drops.
         */
        public Builder servers(List<URI> servers) {
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("at least one server is needed");
            }
            for (URI server : servers) {
                String scheme = Objects.requireNonNull(server, "server").getScheme();
                if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
                    throw new IllegalArgumentException("server must be a ws:// or wss:// URI, got " + server);
                }
            }
            this.servers = List.copyOf(servers);
            return this;
        }

        public Builder credential(AgentCredential credential) {
            this.credential = Objects.requireNonNull(credential, "credential");
            return this;
        }

        public Builder credential(String agentId, String secret) {
            return credential(new AgentCredential(agentId, secret));
        }

        /** Where the spool lives (and {@code agent.json} for the CLI). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Labels the agent reports in its hello (the server's labels are authoritative). */
        public Builder labels(Map<String, String> labels) {
            this.labels.putAll(labels);
            return this;
        }

        public Builder label(String name, String value) {
            labels.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Spool size bound (default 256 MiB); beyond it the oldest results are dropped and counted. */
        public Builder spoolMaxBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("spoolMaxBytes must be positive");
            }
            this.spoolMaxBytes = bytes;
            return this;
        }

        /** Spool age bound (default 7 days). */
        public Builder spoolMaxAge(Duration age) {
            if (!age.isPositive()) {
                throw new IllegalArgumentException("spoolMaxAge must be positive");
            }
            this.spoolMaxAge = age;
            return this;
        }

        /** Reconnect delays (default 1 s doubling to 60 s, full jitter). */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Result batches sent and not yet acked at once (default 8). */
        public Builder maxUnackedBatches(int max) {
            this.maxUnackedBatches = max;
            return this;
        }

        /** How long {@link #close()} keeps sending spooled results before closing the socket (default 2 s). */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /**
         * The least time between two automatic diagnoses of one task on this agent (default 5 minutes): a task
         * with {@code "diagnose": {"onFailure": true}} that keeps failing is traced once per period, not per attempt.
         */
        public Builder diagnosisEvery(Duration every) {
            if (!Objects.requireNonNull(every, "every").isPositive()) {
                throw new IllegalArgumentException("diagnosisEvery must be positive");
            }
            this.diagnosisEvery = every;
            return this;
        }

        /**
         * The resolver a diagnosis's DNS lookup asks, in the {@code dns} probe's {@code resolver} form ({@code host},
         * {@code host:port}); null (the default) for the system's, the first {@code nameserver} of /etc/resolv.conf.
         */
        public Builder diagnosisResolver(String resolver) {
            this.diagnosisResolver = resolver == null || resolver.isBlank() ? null : resolver;
            return this;
        }

        /**
         * Whom a {@code wss://} server's certificate must be vouched for by: the system's CAs by default;
         * {@link ServerTrust#fromCaFile} for a private CA.
         */
        /**
         * The agent's client certificate, renewed at two thirds of its lifetime while the runtime runs. The
         * {@link #tls} context must present it ({@link dev.vantage.agent.uplink.ServerTrust#withClientCertificate}).
         */
        public Builder clientCertificate(dev.vantage.agent.uplink.ClientCertificate certificate) {
            this.clientCertificate = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        public Builder tls(javax.net.ssl.SSLContext tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** Adjusts the engine before it is built, e.g. plugin discovery or the meter registry. */
        public Builder engineOptions(Consumer<ProbeEngine.Builder> options) {
            this.engineOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Serves Prometheus metrics ({@code /metrics}: the agent, its engine, JVM and host, and its results as
         * metrics) and blackbox_exporter's {@code /probe} on this address. Off by default: agents open no ports.
         */
        public Builder metricsListen(InetSocketAddress address) {
            this.metricsListen = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The modules {@code /probe} offers (default: blackbox_exporter's examples, {@link BlackboxConfig#defaults()}). */
        public Builder blackbox(BlackboxConfig modules) {
            this.blackbox = Objects.requireNonNull(modules, "modules");
            return this;
        }

        public AgentRuntime build() {
            Objects.requireNonNull(servers, "server is required");
            Objects.requireNonNull(credential, "credential is required");
            Objects.requireNonNull(dataDir, "dataDir is required");
            if (blackbox == null) {
                blackbox = BlackboxConfig.defaults();
            }
            return new AgentRuntime(this);
        }
    }
}
