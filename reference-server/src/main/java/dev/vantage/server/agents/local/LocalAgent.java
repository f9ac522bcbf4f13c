package dev.vantage.server.agents.local;

import dev.vantage.agent.runtime.AgentCredential;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.probe.engine.PluginJar;
import dev.vantage.server.agents.store.AgentPolicy;
import dev.vantage.server.agents.store.AgentStore;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in local agent of the zero-setup server: the same {@link AgentRuntime} a remote agent runs, in this
 * process, connected to this server's own {@code /ws/agent} over loopback. It is enrolled directly (no token) on
 * first start and keeps its credential in {@code <data-dir>/local-agent/agent.json}, so its results stay attached to
 * one agent across restarts. Its policy allows loopback, so a new user can probe services on this machine at once;
 * the server's own ports stay refused.
 */
public final class LocalAgent implements ApiModule {
    private static final Logger LOG = LoggerFactory.getLogger(LocalAgent.class);
    /** Loopback allowed, private ranges not: the embedded default probes this machine and the internet. */
    public static final AgentPolicy POLICY = new AgentPolicy(true, false, List.of(), List.of(), List.of());

    private final AgentStore agents;
    private final Path serverDataDir;
    private final List<PluginJar> pluginJars;
    private volatile AgentRuntime runtime;

    /**
     * The local agent of a server whose data directory is {@code serverDataDir}, running the server's plugin jars
     * too; it starts once the server listens.
     */
    public LocalAgent(AgentStore agents, Path serverDataDir, List<PluginJar> pluginJars) {
        this.agents = agents;
        this.serverDataDir = serverDataDir;
        this.pluginJars = List.copyOf(pluginJars);
    }

    @Override
    public void routes(Routes routes) {
        // no endpoints: it is a client of /ws/agent like any agent
    }

    @Override
    public void started(int port) {
        runtime = start(agents, serverDataDir, pluginJars, port);
    }

    /** The local agent goes first, while the server can still take its last results. */
    @Override
    public void stopping() {
        AgentRuntime r = runtime;
        runtime = null;
        if (r != null) {
            r.close();
        }
    }

    @Override
    public void close() {
        stopping();
    }

    /** Starts the local agent for a server listening on {@code port}. */
    private static AgentRuntime start(AgentStore agents, Path serverDataDir, List<PluginJar> pluginJars, int port) {
        Path dir = serverDataDir.resolve("local-agent");
        try {
            Optional<AgentCredential> saved = AgentCredential.load(dir);
            AgentCredential credential;
            if (saved.isPresent() && agents.get(saved.get().agentId()).filter(a -> !a.revoked()).isPresent()) {
                credential = saved.get();
            } else {
                AgentStore.Created created = agents.create("local", Map.of("region", "local"), POLICY);
                credential = new AgentCredential(created.agent().id(), created.credential());
                credential.save(dir);
                LOG.info("enrolled the built-in local agent {} (loopback allowed; VANTAGE_LOCAL_AGENT=false switches it off)",
                        credential.agentId());
            }
            return AgentRuntime.builder()
                    .server(URI.create("ws://127.0.0.1:" + port + "/ws/agent"))
                    .credential(credential)
                    .dataDir(dir)
                    .label("region", "local")
                    .engineOptions(b -> pluginJars.forEach(b::addPluginJar))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local agent in " + dir + ": " + e.getMessage(), e);
        }
    }
}
