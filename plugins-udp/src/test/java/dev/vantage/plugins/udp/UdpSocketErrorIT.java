package dev.vantage.plugins.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.testkit.Netns;
import dev.vantage.probe.testkit.TestEngines;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A socket error in the middle of an attempt: an echo responder (socat) inside the test's own namespace answers
 * the first datagram, then the namespace's firewall rejects the rest with ICMP "administratively prohibited", which
 * Linux reports on the probe's connected socket as "No route to host". Root only (namespace, veth, nft): skipped
 * with the reason elsewhere.
 *
 * <pre>
 *  host  vud-XXXX 10.212.N.1/30  ----  vn0 10.212.N.2/30  namespace (socat echo on port 7; nft: reject after 1)
 * </pre>
 */
class UdpSocketErrorIT {
    private static Netns ns;
    private static Process echo;
    private static String target;

    @BeforeAll
    static void createNetwork() throws Exception {
        Netns.assumeAvailable("nft", "socat");
        int n = ThreadLocalRandom.current().nextInt(256); // another run's /30 on the host must not be ours
        String hostIf = "vud-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        String address = "10.212." + n + ".2";
        target = address + ":7";
        ns = Netns.create("vud");
        Netns.run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "vn0", "netns", ns.name());
        Netns.run("ip", "addr", "add", "10.212." + n + ".1/30", "dev", hostIf);
        Netns.run("ip", "link", "set", hostIf, "up");
        ns.exec("ip", "addr", "add", address + "/30", "dev", "vn0");
        ns.exec("ip", "link", "set", "vn0", "up");
        // the datagrams must go into the namespace and nowhere else
        assertThat(Netns.run("ip", "route", "get", address)).contains("dev " + hostIf + " ");
        ns.exec("nft", "add", "table", "inet", "err");
        ns.exec("nft", "add", "chain", "inet", "err", "in", "{ type filter hook input priority 0; }");
        // the first datagram (32 bytes at the IP layer) fits the quota; every later one is rejected
        ns.exec("nft", "add", "rule", "inet", "err", "in", "ip", "daddr", address, "udp", "dport", "7",
                "quota", "over", "40", "bytes", "reject", "with", "icmp", "type", "admin-prohibited");
        echo = new ProcessBuilder("ip", "netns", "exec", ns.name(), "socat", "UDP4-LISTEN:7,bind=" + address, "PIPE")
                .redirectErrorStream(true).start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ns.exec("ss", "-Huln", "sport", "= :7").contains(address + ":7"));
    }

    /** Runs even when the set-up failed half way; the host's veth end goes with the namespace. */
    @AfterAll
    static void deleteNetwork() throws Exception {
        if (echo != null) {
            echo.destroyForcibly().waitFor();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void aSocketErrorKeepsTheCountsOfTheDatagramsBeforeIt() {
        try (ProbeEngine engine = TestEngines.engine(new UdpProbeProvider())) {
            ProbeResult r = TestEngines.runOnce(engine, TaskSpec.builder(UdpProbeProvider.TYPE, target)
                    .timeout(Duration.ofSeconds(3)).param("payload", "ping").param("count", 5L)
                    .param("interval", Duration.ofMillis(200)).build());

            assertThat(r.error()).as(r.toString()).isNotNull();
            assertThat(r.error().kind()).as(r.toString()).isEqualTo(ErrorKind.UNREACHABLE);
            assertThat(r.error().message()).contains("No route to host");
            // these were dropped on the error before: the first datagram was answered, the second was rejected
            assertThat(r.measurements()).as(r.toString()).containsEntry("received", 1.0)
                    .containsEntry("sent", 2.0).containsEntry("lossPercent", 50.0).containsKey("rttAvgMs");
            assertThat(r.samples().get("rttMs")).hasSize(2);
        }
    }
}
