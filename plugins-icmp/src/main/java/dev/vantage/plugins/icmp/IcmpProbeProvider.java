package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.support.ProblemTexts;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.LoopbackWarmUp;
import dev.vantage.probe.plugin.support.RoundTrips;
import dev.vantage.probe.plugin.support.SharedChannels;
import java.time.Duration;
import java.util.Locale;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code icmp} probe type: ICMP echo ("ping") over IPv4 and IPv6.
 *
 * <p>Owns one socket per address family and TTL, shared by all of its probes and opened on first use: an
 * unprivileged ping socket where {@code net.ipv4.ping_group_range} allows one, else a raw socket (CAP_NET_RAW).
 * {@link #close()} closes them.
 */
public final class IcmpProbeProvider implements ProbeProvider {
    static final String TYPE = "icmp";
    // IPv4's limit: 65535 minus the IP and ICMP headers.
    private static final int MAX_PAYLOAD = 65_507;

    private static final int DEFAULT_TTL = 64;
    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("ICMP ping")
            .description("Sends ICMP echo requests and reports packet loss and round-trip times.")
            .versionOf(IcmpProbeProvider.class)
            .targetDescription("host name or IP address")
            .parameter(ParameterSpec.builder("count", ParameterType.INTEGER)
                    .description("Echo requests per attempt.").defaultValue(3L).min(1).max(100).build())
            .parameter(ParameterSpec.builder("interval", ParameterType.DURATION)
                    .description("Time between echo requests of one attempt.")
                    .defaultValue(Duration.ofMillis(200)).min(1).max(60_000).build())
            .parameter(ParameterSpec.builder("size", ParameterType.INTEGER)
                    .description("Payload bytes after the 8-byte ICMP header.").defaultValue(56L).min(0)
                    .max(MAX_PAYLOAD).build())
            .parameter(ParameterSpec.builder("ttl", ParameterType.INTEGER)
                    .description("IP time to live (IPv6 hop limit) of the requests.").defaultValue((long) DEFAULT_TTL)
                    .min(1).max(255).build())
            .parameter(IpVersion.parameter())
            .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder()
                    .problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE))
                    .displayName("ICMP Ping")
                    .description("发送 ICMP 回显请求，报告丢包率和往返时间。")
                    .targetDescription("主机名或 IP 地址")
                    .parameter("count", "每次拨测发送的回显请求数。")
                    .parameter("interval", "同一次拨测中回显请求之间的间隔。")
                    .parameter("size", "8 字节 ICMP 头之后的载荷字节数。")
                    .parameter("ttl", "请求的 IP 生存时间（IPv6 跳数限制）。")
                    .parameters(IpVersion.DESCRIPTION_ZH_CN)
                    .build())
            .build();

    private final SharedChannels<Integer, EchoChannel> channels =
            new SharedChannels<>("the ICMP provider is closed", EchoChannel::close);

    public IcmpProbeProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProbeDescriptor describe() {
        return DESCRIPTOR;
    }

    @Override
    public Probe create(ProbeConfig config) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        String host = HostPort.bareHost(config.target(), problems);
        long count = config.integer("count");
        Duration interval = config.duration("interval");
        RoundTrips.checkSpacing(count, interval, config, problems);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new IcmpProbe(this, host, (int) count, interval, (int) config.integer("size"),
                (int) config.integer("ttl"), IpVersion.of(config.string(IpVersion.PARAMETER)));
    }

    /**
     * One echo to 127.0.0.1: opens the IPv4 socket with its threads and runs the send and receive paths once, so
     * that the first attempt's round trips are not measured through a cold JVM (several milliseconds instead of
     * tens of microseconds). Without the right to open an ICMP socket there is nothing to warm up: the attempts
     * report that themselves, as a CONFIG error saying what to grant.
     */
    @Override
    public void warmUp() throws Exception {
        try {
            channel(false, DEFAULT_TTL);
        } catch (ProbeException e) {
            return;
        }
        LoopbackWarmUp.run(this, "127.0.0.1", "count", 1L);
    }

    /** The shared socket for this family and TTL, opened on first use. */
    EchoChannel channel(boolean v6, int ttl) throws ProbeException {
        return channels.get(ttl << 1 | (v6 ? 1 : 0), () -> EchoChannel.open(v6, ttl));
    }

    /** Closes every socket; attempts still waiting for replies see them as lost. */
    @Override
    public void close() {
        channels.close();
    }
}
