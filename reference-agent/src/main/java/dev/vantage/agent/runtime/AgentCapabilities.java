package dev.vantage.agent.runtime;

import dev.vantage.agent.protocol.Message.Capabilities;
import dev.vantage.agent.protocol.Message.Plugin;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import java.net.Inet6Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds out what this agent can run, for its {@code hello}. Blocking (up to a few seconds); call once at start. */
final class AgentCapabilities {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCapabilities.class);

    private AgentCapabilities() {
    }

    static Capabilities detect(ProbeEngine engine) {
        List<Plugin> plugins = engine.descriptors().values().stream()
                .map(d -> new Plugin(d.type(), d.version() == null ? "unknown" : d.version()))
                .toList();
        return new Capabilities(plugins, icmpMode(engine), hasUsableIpv6());
    }

    /**
     * Asks the ICMP plugin itself: one echo to 127.0.0.1 reports the socket kind it got ({@code datagram} or
     * {@code raw}) in its {@code icmpMode} attribute, or fails with CONFIG when it may open neither.
     */
    static String icmpMode(ProbeEngine engine) {
        if (!engine.descriptors().containsKey("icmp")) {
            return "none";
        }
        // no task id: the spool does not keep (or send) results the server cannot attribute
        TaskSpec check = TaskSpec.builder("icmp", "127.0.0.1").timeout(Duration.ofSeconds(2)).param("count", 1).build();
        try {
            ProbeResult r = engine.runOnce(check).toCompletableFuture().get(5, TimeUnit.SECONDS);
            String mode = r.attributes().get("icmpMode");
            if (mode != null) {
                return mode;
            }
            if (r.error() != null && r.error().kind() != ErrorKind.CONFIG) {
                LOG.warn("ICMP check of 127.0.0.1 failed ({}): reporting ICMP as unavailable", r.error().message());
            }
        } catch (Exception e) {
            LOG.warn("ICMP check of 127.0.0.1 failed: {}", e.toString());
        }
        return "none";
    }

    /** True if an interface that is up has a global (not loopback, not link-local) IPv6 address. */
    static boolean hasUsableIpv6() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(AgentCapabilities::isUp)
                    .flatMap(NetworkInterface::inetAddresses)
                    .anyMatch(a -> a instanceof Inet6Address
                            && !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress());
        } catch (SocketException e) {
            return false;
        }
    }

    private static boolean isUp(NetworkInterface i) {
        try {
            return i.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
