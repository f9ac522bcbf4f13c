package dev.vantage.agent.cli;

import dev.vantage.agent.blackbox.BlackboxConfig;
import dev.vantage.agent.metrics.MetricsServer;
import dev.vantage.agent.runtime.AgentCredential;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.agent.runtime.Enrollment;
import dev.vantage.agent.update.ReleaseKeys;
import dev.vantage.agent.update.Versions;
import java.security.PublicKey;
import dev.vantage.agent.uplink.ClientCertificate;
import dev.vantage.agent.uplink.ServerTrust;
import dev.vantage.agent.uplink.CredentialRejectedException;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.engine.PluginJar;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vantage-agent run}: the long-running agent. Enrolls on the first start, then runs an {@link AgentRuntime}
 * until SIGTERM (or Ctrl-C), which stops it gracefully.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run as a remote agent: take tasks from the server, probe, and send the results back.",
        footer = {"", "Example:",
                "  vantage-agent run --server ws://127.0.0.1:8080/ws/agent --enroll-token vet_... --label region=beijing",
                "", "Exit status: 0 after a shutdown signal, 2 on bad input or failed enrollment, 3 when the server "
                + "refuses the agent's credential (revoked), 75 to ask the launcher to start a new version."})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--server", split = ",",
            description = "The server's agent WebSocket, e.g. ws://host:8080/ws/agent. Repeat it (or separate with commas)"
                    + " for several replicas: the agent moves to the next when a connection fails. Required; default:"
                    + " $VANTAGE_SERVER.")
    List<URI> servers;

    @Option(names = "--tls-ca", description = "PEM file of the CA(s) that vouch for a wss:// server's certificate "
            + "(a private CA); default: the system's trusted CAs.")
    Path tlsCa;

    @Option(names = "--enroll-token", description = "Enrollment token; needed on the first start only (default: "
            + "$VANTAGE_ENROLL_TOKEN, which keeps it out of the process list).")
    String enrollToken;

    @Option(names = "--label", description = "Label name=value for this agent; repeat for more.")
    List<String> labels = List.of();

    @Option(names = "--name", description = "Agent name shown by the server (default: the host name).")
    String name;

    @Option(names = "--data-dir", description = "Where agent.json and the spool live (default: $VANTAGE_AGENT_DATA_DIR or ./agent-data).")
    Path dataDir;

    @Option(names = "--spool-max-bytes", defaultValue = "256MiB",
            description = "Spool size bound, e.g. 268435456, 512MiB or 2GiB (default 256MiB).")
    String spoolMaxBytes;

    @Option(names = "--spool-max-age", defaultValue = "7d", description = "Spool age bound (default 7d).")
    String spoolMaxAge;

    @Option(names = "--metrics-listen", description = "Serve Prometheus metrics (/metrics) and blackbox_exporter's "
            + "/probe on host:port, e.g. 127.0.0.1:9465. Off by default: the agent opens no port.")
    String metricsListen;

    @Option(names = "--blackbox-config", description = "blackbox_exporter modules for /probe (a blackbox.yml subset; "
            + "default: its example modules http_2xx, http_post_2xx, tcp_connect, icmp, dns_udp ...). Needs --metrics-listen.")
    Path blackboxConfig;
    @Option(names = "--diagnosis-every", defaultValue = "5m",
            description = "Least time between two automatic diagnoses (traceroute, DNS lookup) of one failing task"
                    + " with diagnose.onFailure (default 5m).")
    String diagnosisEvery;

    @Option(names = "--diagnosis-resolver",
            description = "Resolver for the diagnosis's DNS lookup, host or host:port (default: the system's).")
    String diagnosisResolver;

    @Option(names = "--release-key", description = "The release public key (PEM) that agent releases rolled out by "
            + "the server must be signed with (default: $VANTAGE_RELEASE_KEY); without it updates are refused. "
            + "Updates also need 'vantage-agent launch'.")
    Path releaseKey;

    /** Set by the launcher ({@code vantage-agent launch}): the agent may switch versions through it. */
    @Option(names = "--launched", hidden = true)
    boolean launched;

    @Mixin
    PluginsDirOption plugins;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AgentRuntime.Builder builder;
        Map<String, String> labelMap;
        Path dir = dataDir != null ? dataDir : Path.of(AgentEnvironment.VANTAGE_AGENT_DATA_DIR.value().orElse("agent-data"));
        try {
            if (servers == null || servers.isEmpty()) {
                servers = AgentEnvironment.VANTAGE_SERVER.value().map(RunCommand::uris).orElseThrow(() ->
                        new IllegalArgumentException("--server (or VANTAGE_SERVER) is required: the server's agent "
                                + "WebSocket, e.g. ws://host:8080/ws/agent"));
            }
            if (enrollToken == null) {
                enrollToken = AgentEnvironment.VANTAGE_ENROLL_TOKEN.value().orElse(null);
            }
            labelMap = labels(labels);
            builder = AgentRuntime.builder().servers(servers).dataDir(dir).labels(labelMap)
                    .spoolMaxBytes(bytes(spoolMaxBytes)).spoolMaxAge(Durations.parse(spoolMaxAge))
                    .diagnosisEvery(Durations.parse(diagnosisEvery)).diagnosisResolver(diagnosisResolver);
            if (blackboxConfig != null && metricsListen == null) {
                throw new IllegalArgumentException("--blackbox-config: needs --metrics-listen, where /probe is served");
            }
            if (metricsListen != null) {
                builder.metricsListen(MetricsServer.parseListen(metricsListen));
            }
            if (blackboxConfig != null) {
                builder.blackbox(BlackboxConfig.read(blackboxConfig));
            }
            List<PluginJar> jars = plugins.load();
            builder.engineOptions(b -> jars.forEach(b::addPluginJar));
            selfUpdate(builder, dir);
        } catch (IOException e) {
            err.println("--blackbox-config: cannot read " + blackboxConfig + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        // over wss:// the agent also holds a client certificate of its own key (docs/security.md)
        ClientCertificate certificate = null;
        if (servers.stream().anyMatch(u -> "wss".equalsIgnoreCase(u.getScheme()))) {
            try {
                AgentCredential.createOwnerOnlyDirectories(dir);
                certificate = ClientCertificate.open(dir);
            } catch (IOException e) {
                err.println("cannot open the agent key: " + e.getMessage());
                return 2;
            }
            builder.clientCertificate(certificate);
        }
        javax.net.ssl.SSLContext tls;
        try {
            tls = certificate != null ? ServerTrust.withClientCertificate(tlsCa, certificate)
                    : tlsCa == null ? ServerTrust.system() : ServerTrust.fromCaFile(tlsCa);
        } catch (IllegalArgumentException e) {
            err.println("--tls-ca: " + e.getMessage());
            return 2;
        }
        builder.tls(tls);
        AgentCredential credential;
        try {
            credential = Enrollment.loadOrEnroll(dir, servers, enrollToken, name != null ? name : hostName(), labelMap, tls,
                    certificate);
        } catch (IOException | IllegalArgumentException e) {
            err.println("cannot enroll: " + e.getMessage());
            return 2;
        }
        try {
            runtime = builder.credential(credential).build().start();
        } catch (java.io.UncheckedIOException e) {
            err.println(e.getMessage()); // the spool directory, or the metrics port taken
            return 2;
        } catch (IllegalStateException e) {
            err.println("--plugins-dir: " + e.getMessage()); // a probe type provided twice
            return 2;
        }
        Thread hook = new Thread(runtime::close, "vantage-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (launched) {
            // a launcher killed outright can neither stop this agent nor start another: stop with it, not orphaned
            ProcessHandle.current().parent().ifPresent(launcher -> launcher.onExit().thenRun(runtime::close));
        }
        try {
            runtime.terminated().toCompletableFuture().join();
            return switching ? Versions.EXIT_SWITCH : 0;
        } catch (CompletionException e) {
            if (e.getCause() instanceof CredentialRejectedException rejected) {
                err.println(rejected.getMessage());
                return 3;
            }
            err.println("agent failed: " + e.getCause());
            return 1;
        } finally {
            runtime.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running or has run
            }
        }
    }

    /** Set when a verified release was installed: the launcher starts it after this process exits. */
    private volatile boolean switching;
    private AgentRuntime runtime;

    private void selfUpdate(AgentRuntime.Builder builder, Path dir) throws IOException {
        Path keyFile = releaseKey != null ? releaseKey
                : AgentEnvironment.VANTAGE_RELEASE_KEY.value().map(Path::of).orElse(null);
        PublicKey key = null;
        if (keyFile != null) {
            try {
                key = ReleaseKeys.readPublic(keyFile);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--release-key: " + e.getMessage(), e);
            }
        }
        Versions.Launch launch = launched ? new Versions(dir).readLaunch()
                .orElse(new Versions.Launch(null, false, null, null)) : null;
        builder.selfUpdate(launch, key, () -> {
            switching = true;
            runtime.close();
        });
    }

    private static List<URI> uris(String commaSeparated) {
        List<URI> out = new java.util.ArrayList<>();
        for (String s : commaSeparated.split(",")) {
            try {
                if (!s.isBlank()) {
                    out.add(new URI(s.strip()));
                }
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("VANTAGE_SERVER: '" + s.strip() + "' is not a URL: " + e.getReason());
            }
        }
        return out;
    }

    static Map<String, String> labels(List<String> pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--label '" + p + "': expected name=value");
            }
            out.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return out;
    }

    /** {@code 1024}, {@code 512KiB}, {@code 256MiB}, {@code 2GiB}. */
    static long bytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}}) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - 3).strip();
            }
        }
        try {
            long n = Math.multiplyExact(Long.parseLong(t), unit);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--spool-max-bytes '" + text + "': expected a positive size like 256MiB");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "agent";
        }
    }
}
