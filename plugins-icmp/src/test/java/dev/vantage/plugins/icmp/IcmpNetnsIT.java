package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.InNetns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.testkit.Netns;
import dev.vantage.probe.testkit.TestEngines;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real networks in private namespaces: a client namespace (where the probes' sockets live) joined by a veth pair
 * to a router namespace that answers, drops at random, and sends ICMP errors. Every scenario runs with ping
 * sockets and with raw sockets, chosen through the client's {@code net.ipv4.ping_group_range}.
 *
 * <pre>
 *  client  vc0 10.200.0.1/30 fd00:200::1/64  ----  vs0 10.200.0.2/30 fd00:200::2/64  router
 *          10.201.0.0/24, fd00:201::/64 via router         10.201.0.9, fd00:201::9: unreachable routes
 *          10.202.0.9: local unreachable route              10.201.0.0/24 back via client (TTL 1 expires here)
 *          10.203.0.0/24 via router                         10.203.0.1 on lo, 20% of echo requests dropped
 * </pre>
 */
class IcmpNetnsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static Netns client;
    private static Netns router;

    @BeforeAll
    static void createNetwork() throws Exception {
        Netns.assumeAvailable();
        try {
            client = Netns.create("vti-c");
            router = Netns.create("vti-r");
            Netns.run("ip", "link", "add", "vc0", "netns", client.name(), "type", "veth",
                    "peer", "name", "vs0", "netns", router.name());
            client.exec("ip", "addr", "add", "10.200.0.1/30", "dev", "vc0");
            client.exec("ip", "-6", "addr", "add", "fd00:200::1/64", "dev", "vc0", "nodad");
            client.exec("ip", "link", "set", "vc0", "up");
            client.exec("ip", "route", "add", "10.201.0.0/24", "via", "10.200.0.2");
            client.exec("ip", "route", "add", "10.203.0.0/24", "via", "10.200.0.2");
            client.exec("ip", "-6", "route", "add", "fd00:201::/64", "via", "fd00:200::2");
            client.exec("ip", "route", "add", "unreachable", "10.202.0.9/32");

            router.exec("ip", "addr", "add", "10.200.0.2/30", "dev", "vs0");
            router.exec("ip", "-6", "addr", "add", "fd00:200::2/64", "dev", "vs0", "nodad");
            router.exec("ip", "link", "set", "vs0", "up");
            router.exec("ip", "addr", "add", "10.203.0.1/32", "dev", "lo");
            // A router only sends unreachable / time-exceeded errors when it forwards; no rate limit for tests.
            router.sysctl("net.ipv4.ip_forward", "1");
            router.sysctl("net.ipv6.conf.all.forwarding", "1");
            router.sysctl("net.ipv4.icmp_ratelimit", "0");
            router.sysctl("net.ipv6.icmp.ratelimit", "0");
            router.exec("ip", "route", "add", "unreachable", "10.201.0.9/32");
            router.exec("ip", "-6", "route", "add", "unreachable", "fd00:201::9/128");
            router.exec("ip", "route", "add", "10.201.0.0/24", "via", "10.200.0.1");
        } catch (Exception e) {
            deleteNetwork();
            throw e;
        }
    }

    @AfterAll
    static void deleteNetwork() throws Exception {
        try {
            if (router != null) {
                router.close();
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /**
     * Runs one attempt through a fresh engine whose provider opened its socket (of {@code mode}) inside the client
     * namespace: a socket belongs to the namespace of the thread that opens it, whichever thread uses it later.
     */
    private static ProbeResult ping(IcmpSocket.Mode mode, String target, Object... params) throws Exception {
        client.sysctl("net.ipv4.ping_group_range", mode == IcmpSocket.Mode.DGRAM ? "0 2147483647" : "1 0");
        Map<String, Object> p = new HashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put((String) params[i], params[i + 1]);
        }
        IcmpProbeProvider provider = new IcmpProbeProvider();
        int ttl = ((Number) p.getOrDefault("ttl", 64)).intValue();
        InNetns.call(client.name(), () -> provider.channel(target.contains(":"), ttl));
        try (ProbeEngine engine = TestEngines.engine(provider)) {
            ProbeResult r = TestEngines.runOnce(engine,
                    TaskSpec.builder("icmp", target).timeout(TIMEOUT).params(p).build());
            assertThat(r.attributes()).containsEntry("icmpMode", mode.label());
            return r;
        }
    }

    @ParameterizedTest
    @EnumSource(IcmpSocket.Mode.class)
    void pingsAcrossTheVethPair(IcmpSocket.Mode mode) throws Exception {
        for (String target : new String[] {"10.200.0.2", "fd00:200::2"}) {
            ProbeResult r = ping(mode, target, "count", 5, "interval", Duration.ofMillis(5));

            assertThat(r.status()).as(r.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(r.measurements()).containsEntry("received", 5.0).containsEntry("lossPercent", 0.0);
            assertThat(r.attributes()).containsEntry("timestampSource", "kernel");
        }
    }

    @ParameterizedTest
    @EnumSource(IcmpSocket.Mode.class)
    void reportsHostUnreachableFromTheRouter(IcmpSocket.Mode mode) throws Exception {
        ProbeResult r = ping(mode, "10.201.0.9", "count", 3, "interval", Duration.ofMillis(5));

        assertThat(r.status()).isEqualTo(ProbeStatus.FAILURE);
        assertThat(r.error().kind()).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(r.error().message()).isEqualTo("host unreachable (ICMP type 3 code 1) from 10.200.0.2");
        assertThat(r.measurements()).containsEntry("sent", 3.0).containsEntry("received", 0.0);
        assertThat(r.duration()).as("errors end the wait early").isLessThan(Duration.ofSeconds(1));
    }

    @ParameterizedTest
    @EnumSource(IcmpSocket.Mode.class)
    void reportsIpv6AddressUnreachable(IcmpSocket.Mode mode) throws Exception {
        ProbeResult r = ping(mode, "fd00:201::9", "count", 2, "interval", Duration.ofMillis(5));

        assertThat(r.error().kind()).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(r.error().message()).matches(".*\\(ICMPv6 type 1 code \\d\\) from fd00:200:0:0:0:0:0:2");
    }

    @ParameterizedTest
    @EnumSource(IcmpSocket.Mode.class)
    void reportsTimeExceededWhenTheTtlRunsOut(IcmpSocket.Mode mode) throws Exception {
        ProbeResult r = ping(mode, "10.201.0.8", "count", 2, "interval", Duration.ofMillis(5), "ttl", 1);

        assertThat(r.error().kind()).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(r.error().message()).isEqualTo("time to live exceeded (ICMP type 11 code 0) from 10.200.0.2");
    }

    @ParameterizedTest
    @EnumSource(IcmpSocket.Mode.class)
    void reportsALocalNoRouteAtSendTime(IcmpSocket.Mode mode) throws Exception {
        ProbeResult r = ping(mode, "10.202.0.9", "count", 3);

        assertThat(r.error().kind()).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(r.error().message()).startsWith("cannot send to 10.202.0.9: No route to host");
        assertThat(r.measurements()).containsEntry("sent", 0.0);
    }

    @ParameterizedTest
    @EnumSource(IcmpSocket.Mode.class)
    void keepsKernelSendTimesAfterAFailedSend(IcmpSocket.Mode mode) throws Exception {
        client.sysctl("net.ipv4.ping_group_range", mode == IcmpSocket.Mode.DGRAM ? "0 2147483647" : "1 0");
        try (EchoChannel channel = InNetns.call(client.name(), () -> EchoChannel.open(false, 64))) {
            assertThat(channel.mode()).isEqualTo(mode);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            EchoBatch first = new EchoBatch(InetAddress.ofLiteral("10.200.0.2"), 3, 1_000_000, 8, deadline);
            channel.submit(first);
            assertThat(first.get(2, TimeUnit.SECONDS).kernelSendTimes).isEqualTo(3);
            EchoBatch failed = new EchoBatch(InetAddress.ofLiteral("10.202.0.9"), 1, 1_000_000, 8, deadline);
            channel.submit(failed);
            assertThat(failed.get(2, TimeUnit.SECONDS).failure).isNotNull();

            // the failed send restarted the kernel's timestamp counter; ours must have followed
            EchoBatch b = new EchoBatch(InetAddress.ofLiteral("10.200.0.2"), 3, 1_000_000, 8, deadline);
            channel.submit(b);
            b.get(2, TimeUnit.SECONDS);
            assertThat(b.roundTrips().received()).isEqualTo(3);
            assertThat(b.kernelSendTimes).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(IcmpSocket.Mode.class)
    void measuresRandomLossWithinItsBinomialInterval(IcmpSocket.Mode mode) throws Exception {
        Netns.assumeAvailable("nft");
        router.exec("nft", "add", "table", "inet", "loss");
        try {
            router.exec("nft", "add", "chain", "inet", "loss", "in", "{ type filter hook input priority 0; }");
            router.exec("nft", "add", "rule", "inet", "loss", "in", "ip", "daddr", "10.203.0.1",
                    "icmp", "type", "echo-request", "numgen", "random", "mod", "5", "0", "counter", "drop");
            int attempts = 5;
            int perAttempt = 100;
            double lost = 0;
            for (int i = 0; i < attempts; i++) {
                ProbeResult r = ping(mode, "10.203.0.1", "count", perAttempt, "interval", Duration.ofMillis(2));
                assertThat(r.measurements()).containsEntry("sent", (double) perAttempt);
                assertThat(r.samples().get("rttMs")).hasSize(perAttempt);
                lost += r.measurements().get("lossPercent") * perAttempt / 100;
            }
            // the firewall counts what it dropped: the probe must report exactly that, no false and no missed loss
            Matcher m = Pattern.compile("counter packets (\\d+)").matcher(router.exec("nft", "list", "table", "inet", "loss"));
            assertThat(m.find()).as("nft counter").isTrue();
            long dropped = Long.parseLong(m.group(1));
            assertThat(Math.round(lost)).isEqualTo(dropped);
            // and the injected loss itself is the 20 % asked for (99.9 % binomial interval, normal approximation:
            // this only checks the test's set-up, so it may be wider than the 99 % the accuracy claim uses)
            int n = attempts * perAttempt;
            double p = 0.2;
            double halfWidth = 3.29 * Math.sqrt(n * p * (1 - p));
            assertThat(lost).isBetween(n * p - halfWidth, n * p + halfWidth);
        } finally {
            router.exec("nft", "delete", "table", "inet", "loss");
        }
    }

    @Test
    void saysWhatToGrantWhenNoSocketIsPermitted() throws Exception {
        client.sysctl("net.ipv4.ping_group_range", "1 0");

        assertThatThrownBy(() -> InNetns.call(client.name(), true, () -> IcmpSocket.open(false, 64)))
                .isInstanceOfSatisfying(ProbeException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CONFIG);
                    assertThat(e.getMessage()).contains("sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"",
                            "setcap cap_net_raw+ep", "--cap-add=NET_RAW", "capabilities.add: [NET_RAW]",
                            "ping socket: Permission denied", "raw socket: Operation not permitted");
                });
    }
}
