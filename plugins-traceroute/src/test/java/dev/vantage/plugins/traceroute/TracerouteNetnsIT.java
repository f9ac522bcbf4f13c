package dev.vantage.plugins.traceroute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.plugin.linux.InNetns;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.Netns;
import dev.vantage.probe.testkit.NetnsChain;
import dev.vantage.probe.testkit.TestEngines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A chain of namespaces built by the test ({@link NetnsChain}): a client, three routers and a destination, joined
 * by veth pairs (link i is 10.214.i.0/30 and fd00:214:i::/64; the left end is .1, the right end .2). Routers forward
 * and answer without ICMP rate limits. A trace from the client must list exactly r1, r2, r3 and the destination.
 *
 * <pre>
 *  client .1 --1-- .2 r1 .1 --2-- .2 r2 .1 --3-- .2 r3 .1 --4-- .2 destination
 * </pre>
 */
class TracerouteNetnsIT {
    private static NetnsChain chain;
    private static List<Netns> nodes;
    private static final Pattern ADDRESS = Pattern.compile("\"address\":\"([^\"]+)\"");

    @BeforeAll
    static void createChain() throws Exception {
        Netns.assumeAvailable("nft");
        chain = NetnsChain.create("vtt", 3, 214);
        nodes = chain.nodes();
    }

    @AfterAll
    static void deleteChain() throws Exception {
        if (chain != null) {
            chain.close();
        }
    }

    /** Runs one trace from the client; {@code socket} "datagram" or "raw" picks the ICMP socket kind. */
    private static ProbeResult trace(String mode, String socket, String target, Map<String, Object> params)
            throws Exception {
        Netns client = nodes.getFirst();
        client.sysctl("net.ipv4.ping_group_range", "raw".equals(socket) ? "1 0" : "0 2147483647");
        TracerouteProbeProvider provider = new TracerouteProbeProvider();
        // the shared sockets open inside the client namespace and stay there
        InNetns.call(client.name(), () -> provider.channel(Mode.valueOf(mode.toUpperCase()), target.contains(":")));
        try (ProbeEngine engine = TestEngines.engine(provider)) {
            return TestEngines.runOnce(engine, TaskSpec.builder("traceroute", target).timeout(Duration.ofSeconds(10))
                    .param("mode", mode).param("probeTimeout", "300ms").params(params).build());
        }
    }

    private static List<String> addresses(ProbeResult r) {
        List<String> found = new ArrayList<>();
        Matcher m = ADDRESS.matcher(r.attributes().get("hops"));
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @ParameterizedTest(name = "{0} ({1}) to {2}")
    @CsvSource({
        "icmp, datagram, 10.214.4.2", "icmp, raw, 10.214.4.2", "udp, , 10.214.4.2", "tcp, , 10.214.4.2",
        "icmp, datagram, fd00:214:4::2", "icmp, raw, fd00:214:4::2", "udp, , fd00:214:4::2", "tcp, , fd00:214:4::2"})
    void listsEveryRouterOfTheChainThenTheDestination(String mode, String socket, String target) throws Exception {
        ProbeResult r = trace(mode, socket, target, Map.of());
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
        boolean v6 = target.contains(":");
        assertThat(addresses(r)).as(r.attributes().get("hops")).containsExactly(v6
                ? new String[] {"fd00:214:1::2", "fd00:214:2::2", "fd00:214:3::2", target}
                : new String[] {"10.214.1.2", "10.214.2.2", "10.214.3.2", target});
        assertThat(r.measurements()).containsEntry("hops", 4.0).containsEntry("lossPercent", 0.0);
        assertThat(r.measurements().get("rttAvgMs")).isPositive();
        assertThat(r.attributes()).containsEntry("reached", "true")
                .containsEntry("traceMode", mode.equals("icmp") ? "icmp-" + socket : mode);
        assertThat(r.attributes().get("hops")).contains("\"destination\":true", "\"sent\":3,\"received\":3");
    }

    @Test
    void randomDropOfOneRoutersAnswersIsLossOnThatHopOnly() throws Exception {
        Netns r2 = nodes.get(2);
        r2.exec("nft", "add", "table", "inet", "lossy");
        r2.exec("nft", "add", "chain", "inet", "lossy", "out", "{ type filter hook output priority 0; }");
        r2.exec("nft", "add", "rule", "inet", "lossy", "out", "icmp", "type", "time-exceeded",
                "numgen", "random", "mod", "2", "0", "drop");
        try {
            ProbeResult r = trace("icmp", "raw", "10.214.4.2", Map.of("probesPerHop", 20, "probeTimeout", "100ms"));
            assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
            List<String> hops = splitHops(r.attributes().get("hops"));
            assertThat(hops).hasSize(4);
            assertThat(hops.get(0)).contains("\"lossPercent\":0,");
            assertThat(hops.get(1)).contains("\"address\":\"10.214.2.2\"").doesNotContain("\"lossPercent\":0,")
                    .doesNotContain("\"received\":0,");
            assertThat(hops.get(2)).contains("\"lossPercent\":0,");
            assertThat(hops.get(3)).contains("\"lossPercent\":0,");
        } finally {
            r2.exec("nft", "delete", "table", "inet", "lossy");
        }
    }

    @Test
    void aRouterThatSendsNoTimeExceededIsAStar() throws Exception {
        Netns r3 = nodes.get(3);
        r3.exec("nft", "add", "table", "inet", "mute");
        r3.exec("nft", "add", "chain", "inet", "mute", "out", "{ type filter hook output priority 0; }");
        r3.exec("nft", "add", "rule", "inet", "mute", "out", "icmp", "type", "time-exceeded", "drop");
        r3.exec("nft", "add", "rule", "inet", "mute", "out", "icmpv6", "type", "time-exceeded", "drop");
        try {
            for (String target : new String[] {"10.214.4.2", "fd00:214:4::2"}) {
                ProbeResult r = trace("udp", null, target, Map.of("probeTimeout", "150ms"));
                assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.SUCCESS);
                assertThat(addresses(r)).as(r.attributes().get("hops")).hasSize(4).element(2).isEqualTo("*");
                assertThat(splitHops(r.attributes().get("hops")).get(2)).contains("\"received\":0,\"lossPercent\":100");
            }
        } finally {
            r3.exec("nft", "delete", "table", "inet", "mute");
        }
    }

    @Test
    void aDestinationBeyondMaxHopsIsNotReached() throws Exception {
        ProbeResult r = trace("icmp", "datagram", "10.214.4.2", Map.of("maxHops", 2));
        assertThat(r.status()).as("%s", r).isEqualTo(ProbeStatus.FAILURE);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(r.error().message()).contains("within 2 hops", "10.214.2.2");
        assertThat(addresses(r)).containsExactly("10.214.1.2", "10.214.2.2");
        assertThat(r.attributes()).containsEntry("reached", "false");
    }

    @Test
    void namesHopsFromTheHostsFileOnlyWhenAsked() throws Exception {
        ProbeResult plain = trace("icmp", "datagram", "10.214.4.2", Map.of());
        ProbeResult named = trace("icmp", "datagram", "10.214.4.2", Map.of("reverseNames", true));
        assertThat(plain.attributes().get("hops")).doesNotContain("\"name\"");
        assertThat(named.attributes().get("hops")).contains("\"name\":\"r1.trace.test\"");
    }

    @Test
    void aThousandConcurrentTracesLoseNoAnswer() throws Exception {
        Netns client = nodes.getFirst();
        client.sysctl("net.ipv4.ping_group_range", "1 0"); // raw: every answer of every trace on one socket
        TracerouteProbeProvider provider = new TracerouteProbeProvider();
        InNetns.call(client.name(), () -> provider.channel(Mode.ICMP, false));
        TaskSpec spec = TaskSpec.builder("traceroute", "10.214.4.2").timeout(Duration.ofSeconds(20))
                .param("mode", "icmp").param("probeTimeout", "5s").build();
        try (ProbeEngine engine = TestEngines.engine(provider)) {
            List<CompletableFuture<ProbeResult>> traces = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                traces.add(engine.runOnce(spec).toCompletableFuture());
            }
            CompletableFuture.allOf(traces.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            // the routers drop and rate-limit nothing: a hop short of an answer is the probe's own loss (with the
            // socket's default receive buffer, about half of the 12,000 answers were dropped)
            List<String> lossy = new ArrayList<>();
            for (CompletableFuture<ProbeResult> t : traces) {
                ProbeResult r = t.join();
                if (r.status() != ProbeStatus.SUCCESS || !r.measurements().get("lossPercent").equals(0.0)
                        || !addresses(r).equals(List.of("10.214.1.2", "10.214.2.2", "10.214.3.2", "10.214.4.2"))) {
                    lossy.add(r.status() + " " + r.attributes().get("hops"));
                }
            }
            assertThat(lossy).as("traces with a lost answer").isEmpty();
        }
    }

    private static List<String> splitHops(String json) {
        return List.of(json.substring(2, json.length() - 2).split("\\},\\{"));
    }
}
