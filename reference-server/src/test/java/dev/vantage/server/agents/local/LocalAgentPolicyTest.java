package dev.vantage.server.agents.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.agent.protocol.Policy;
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.server.agents.store.AgentPolicy;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The local agent's loopback ports become "everything else denied on loopback", on top of the admin's policy. */
class LocalAgentPolicyTest {

    private static boolean allowed(AgentPolicy policy, String host, int port) {
        AddressPolicy p = policy.effective(List.of(), List.of(8080)).toAddressPolicy();
        return p.check(new InetSocketAddress(host, port)).isEmpty();
    }

    @Test
    void noPortsMeansNoLoopback() {
        AgentPolicy p = LocalAgent.withLoopbackPorts(AgentPolicy.PUBLIC_ONLY, List.of());
        assertThat(p.allowLoopback()).isFalse();
        assertThat(allowed(p, "127.0.0.1", 9000)).isFalse();
        assertThat(allowed(p, "::1", 0)).isFalse();
    }

    @Test
    void onlyTheListedPortsOpenOnLoopbackAndTheServersOwnStaysShut() {
        AgentPolicy p = LocalAgent.withLoopbackPorts(AgentPolicy.PUBLIC_ONLY,
                List.of(new Policy.PortRange(9000, 9001), new Policy.PortRange(0, 0), new Policy.PortRange(8080, 8080)));
        assertThat(allowed(p, "127.0.0.1", 0)).isTrue();
        assertThat(allowed(p, "127.0.0.2", 9000)).isTrue();
        assertThat(allowed(p, "::1", 9001)).isTrue();
        assertThat(allowed(p, "127.0.0.1", 1)).isFalse();
        assertThat(allowed(p, "127.0.0.1", 8999)).isFalse();
        assertThat(allowed(p, "127.0.0.1", 9002)).isFalse();
        assertThat(allowed(p, "::1", 65535)).isFalse();
        assertThat(allowed(p, "127.0.0.1", 8080)).as("the server's own port").isFalse();
        assertThat(allowed(p, "192.0.2.1", 22)).as("public addresses, any port").isTrue();
    }

    @Test
    void theAdminsOtherChoicesStayAndOldLoopbackRulesAreReplaced() {
        AgentPolicy admin = new AgentPolicy(true, true, List.of(), List.of("192.0.2.0/24"),
                List.of(new Policy.PortRange(25, 25), new Policy.PortRange("127.0.0.0/8", 1, 10)));
        AgentPolicy p = LocalAgent.withLoopbackPorts(admin, List.of(new Policy.PortRange(5, 5)));
        assertThat(p.allowPrivate()).isTrue();
        assertThat(p.deny()).containsExactly("192.0.2.0/24");
        assertThat(p.denyPorts()).contains(new Policy.PortRange(25, 25))
                .doesNotContain(new Policy.PortRange("127.0.0.0/8", 1, 10));
        assertThat(allowed(p, "127.0.0.1", 5)).isTrue();
        assertThat(allowed(p, "10.0.0.1", 22)).isTrue();
        assertThat(LocalAgent.withLoopbackPorts(admin, List.of()).allowLoopback()).isFalse();
    }
}
