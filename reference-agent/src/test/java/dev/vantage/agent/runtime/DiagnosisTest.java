package dev.vantage.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DiagnosisTest {
    private static final Set<String> ALL = Set.of("tcp", "http", "icmp", "udp", "dns", "traceroute");
    private static final ProbeResult FAILED = ProbeResult.builder().startedAt(Instant.EPOCH)
            .error(ErrorKind.REFUSED, "refused").build();
    private final AtomicLong now = new AtomicLong();

    private Diagnosis diagnosis(String icmpMode, String resolver) {
        Diagnosis d = new Diagnosis(Duration.ofMinutes(5), resolver, now::get);
        d.capabilities(ALL, icmpMode);
        return d;
    }

    private static TaskSpec task(String type, String target) {
        return TaskSpec.builder(type, target).id("t").diagnoseOnFailure(true).build();
    }

    @Test
    void theTraceFollowsTheTaskAndTheAgentsRights() {
        Diagnosis root = diagnosis("raw", null);
        TaskSpec tcp = root.plan(task("tcp", "db.example.test:5432")).get(0);
        assertThat(tcp.type()).isEqualTo("traceroute");
        assertThat(tcp.target()).isEqualTo("db.example.test");
        assertThat(tcp.params()).containsEntry("mode", "tcp").containsEntry("port", 5432);
        assertThat(root.plan(task("http", "https://[2001:db8::1]/x")).get(0).params())
                .containsEntry("mode", "tcp").containsEntry("port", 443);
        assertThat(root.plan(task("http", "http://web.example.test:8080/")).get(0).params()).containsEntry("port", 8080);
        assertThat(root.plan(task("icmp", "192.0.2.1")).get(0).params()).containsEntry("mode", "icmp");

        assertThat(diagnosis("datagram", null).plan(task("tcp", "192.0.2.1:443")).get(0).params())
                .as("no raw sockets: ICMP by ping socket").containsEntry("mode", "icmp").doesNotContainKey("port");
        assertThat(diagnosis("none", null).plan(task("tcp", "192.0.2.1:443")).get(0).params())
                .as("neither: UDP, which needs no right").containsEntry("mode", "udp");
    }

    @Test
    void namesAreLookedUpAddressesAreNot() {
        List<TaskSpec> byName = diagnosis("raw", "127.0.0.1:5353").plan(task("tcp", "db.example.test:5432"));
        assertThat(byName).extracting(TaskSpec::type).containsExactly("traceroute", "dns");
        assertThat(byName.get(1).target()).isEqualTo("db.example.test");
        assertThat(byName.get(1).params()).containsEntry("resolver", "127.0.0.1:5353").containsEntry("type", "A");
        assertThat(diagnosis("raw", null).plan(task("tcp", "[::1]:22"))).extracting(TaskSpec::type)
                .containsExactly("traceroute");
        assertThat(diagnosis("raw", null).plan(task("dns", "www.example.test")))
                .as("a dns task's resolver is the system's: nothing known to trace").isEmpty();
        List<TaskSpec> dns = diagnosis("raw", null).plan(TaskSpec.builder("dns", "www.example.test")
                .param("resolver", "192.0.2.53").diagnoseOnFailure(true).build());
        assertThat(dns).extracting(TaskSpec::type, TaskSpec::target).containsExactly(
                org.assertj.core.groups.Tuple.tuple("traceroute", "192.0.2.53"));
        assertThat(diagnosis("raw", null).plan(task("traceroute", "192.0.2.1"))).isEmpty();
        assertThat(diagnosis("raw", null).plan(task("tcp", "not a target"))).isEmpty();
    }

    @Test
    void oncePerTaskPerPeriodAndOnlyWhenAsked() {
        Diagnosis d = diagnosis("raw", null);
        TaskSpec t = task("tcp", "192.0.2.1:80");
        assertThat(d.onFailure(t.toBuilder().diagnoseOnFailure(false).build(), FAILED)).isEmpty();
        assertThat(d.onFailure(t, FAILED)).hasSize(1);
        now.addAndGet(Duration.ofMinutes(4).toNanos());
        assertThat(d.onFailure(t, FAILED)).isEmpty();
        assertThat(d.onFailure(t.toBuilder().id("other").build(), FAILED)).as("another task has its own period").hasSize(1);
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        assertThat(d.onFailure(t, FAILED)).hasSize(1);
    }

    @Test
    void nothingBeforeTheAgentKnowsItsPlugins() {
        Diagnosis d = new Diagnosis(Duration.ofMinutes(5), null, now::get);
        assertThat(d.onFailure(task("tcp", "192.0.2.1:80"), FAILED)).isEmpty();
    }
}
