package dev.vantage.server.agents;

import dev.vantage.agent.runtime.AgentCredential;
import dev.vantage.agent.runtime.AgentRuntime;
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
public final class LocalAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalAgent.class);
    /** Loopback allowed, private ranges not: the embedded default probes this machine and the internet. */
    public static final AgentPolicy POLICY = new AgentPolicy(true, false, List.of(), List.of(), List.of());

    private final AgentRuntime runtime;

    private LocalAgent(AgentRuntime runtime) {
        this.runtime = runtime;
    }

    /** Starts the local agent for a server listening on {@code port}. */
    public static LocalAgent start(AgentStore agents, Path serverDataDir, int port) {
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
            AgentRuntime runtime = AgentRuntime.builder()
                    .server(URI.create("ws://127.0.0.1:" + port + "/ws/agent"))
                    .credential(credential)
                    .dataDir(dir)
                    .label("region", "local")
                    .build()
                    .start();
            return new LocalAgent(runtime);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local agent in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        runtime.close();
    }
}
