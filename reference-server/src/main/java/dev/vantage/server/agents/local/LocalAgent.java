package dev.vantage.server.agents.local;

import dev.vantage.agent.runtime.AgentCredential;
import dev.vantage.agent.runtime.AgentRuntime;
import dev.vantage.agent.protocol.Policy;
import dev.vantage.server.agents.store.AgentPolicy;
import dev.vantage.server.agents.store.AgentRecord;
import dev.vantage.server.agents.store.AgentStore;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.AddressRanges;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in local agent of the zero-setup server: the same {@link AgentRuntime} a remote agent runs, in this
 * process, connected to this server's own {@code /ws/agent} over loopback. It is enrolled directly (no token) on
 * first start and keeps its credential in {@code <data-dir>/local-agent/agent.json}, so its results stay attached to
 * one agent across restarts. Like any new agent it probes public addresses only: loopback would let anyone who may
 * create tasks or instant tests read every other service on this host (and viewers read the results). An admin opens
 * loopback port by port with {@code vantage.local-agent.loopback-ports}, applied at every start; the server's own
 * ports stay refused even then.
 */
public final class LocalAgent implements ApiModule {
    private static final Logger LOG = LoggerFactory.getLogger(LocalAgent.class);

    private final AgentStore agents;
    private final Path serverDataDir;
    private final List<Policy.PortRange> loopbackPorts;
    private final Consumer<AgentRuntime.Builder> options;
    private final javax.net.ssl.SSLContext tls;
    private volatile AgentRuntime runtime;

    /**
     * The local agent of a server whose data directory is {@code serverDataDir}; it starts once the server listens.
     *
     * @param loopbackPorts the loopback ports it may probe (port 0: probes without a port); empty: none
     * @param tls           trust for the server's own certificate when it speaks HTTPS; {@code null}: plain ws://
     * @param options       adjusts the runtime before it starts (its diagnosis settings)
     */
    public LocalAgent(AgentStore agents, Path serverDataDir, List<Policy.PortRange> loopbackPorts,
                      javax.net.ssl.SSLContext tls, Consumer<AgentRuntime.Builder> options) {
        this.tls = tls;
        this.agents = agents;
        this.serverDataDir = serverDataDir;
        this.loopbackPorts = List.copyOf(loopbackPorts);
        this.options = options;
    }

    /**
     * {@code stored} with its loopback part replaced by the configured one: loopback allowed only if some port is,
     * and every other port denied on loopback. Whatever else an admin set (private ranges, allow and deny lists) stays.
     */
    static AgentPolicy withLoopbackPorts(AgentPolicy stored, List<Policy.PortRange> loopbackPorts) {
        List<Policy.PortRange> denyPorts = new ArrayList<>(stored.denyPorts().stream()
                .filter(r -> r.range() == null || !AddressRanges.LOOPBACK.contains(r.range())).toList());
        List<Policy.PortRange> allowed = loopbackPorts.stream()
                .sorted(Comparator.comparingInt(Policy.PortRange::from)).toList();
        int next = 0; // the lowest port not yet allowed or denied
        for (Policy.PortRange r : allowed) {
            if (r.from() > next) {
                addOnLoopback(denyPorts, next, r.from() - 1);
            }
            next = Math.max(next, r.to() + 1);
        }
        if (!allowed.isEmpty() && next <= 65535) { // none allowed: allowLoopback false refuses it all
            addOnLoopback(denyPorts, next, 65535);
        }
        return new AgentPolicy(!allowed.isEmpty(), stored.allowPrivate(), stored.allow(), stored.deny(), denyPorts);
    }

    private static void addOnLoopback(List<Policy.PortRange> denyPorts, int from, int to) {
        AddressRanges.LOOPBACK.forEach(range -> denyPorts.add(new Policy.PortRange(range, from, to)));
    }

    @Override
    public void routes(Routes routes) {
        // no endpoints: it is a client of /ws/agent like any agent
    }

    @Override
    public void started(int port) {
        runtime = start(agents, serverDataDir, loopbackPorts, port, tls, options);
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
    private static AgentRuntime start(AgentStore agents, Path serverDataDir, List<Policy.PortRange> loopbackPorts,
                                      int port, javax.net.ssl.SSLContext tls, Consumer<AgentRuntime.Builder> options) {
        Path dir = serverDataDir.resolve("local-agent");
        try {
            Optional<AgentCredential> saved = AgentCredential.load(dir);
            AgentCredential credential;
            Optional<AgentRecord> existing = saved.flatMap(c -> agents.get(c.agentId())).filter(a -> !a.revoked());
            if (existing.isPresent()) {
                credential = saved.get();
                // before it connects: a server started before this setting existed allowed all of loopback
                agents.policy(credential.agentId(), withLoopbackPorts(existing.get().policy(), loopbackPorts));
            } else {
                AgentStore.Created created = agents.create("local", Map.of("region", "local"),
                        withLoopbackPorts(AgentPolicy.PUBLIC_ONLY, loopbackPorts));
                credential = new AgentCredential(created.agent().id(), created.credential());
                credential.save(dir);
                LOG.info("enrolled the built-in local agent {} (VANTAGE_LOCAL_AGENT=false switches it off)",
                        credential.agentId());
            }
            LOG.info("the local agent may probe loopback ports {} (VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS)",
                    loopbackPorts.isEmpty() ? "none" : loopbackPorts.stream()
                            .map(r -> r.from() == r.to() ? "" + r.from() : r.from() + "-" + r.to()).toList());
            AgentRuntime.Builder b = AgentRuntime.builder();
            if (tls != null) {
                b.tls(tls);
            }
            b.server(URI.create((tls != null ? "wss" : "ws") + "://127.0.0.1:" + port + "/ws/agent"))
                    .credential(credential)
                    .dataDir(dir)
                    .label("region", "local");
            options.accept(b);
            return b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local agent in " + dir + ": " + e.getMessage(), e);
        }
    }
}
