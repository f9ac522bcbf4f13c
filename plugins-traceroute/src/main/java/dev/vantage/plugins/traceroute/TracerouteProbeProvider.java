package dev.vantage.plugins.traceroute;

import dev.vantage.probe.plugin.support.ProblemTexts;
import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.SharedChannels;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The {@code traceroute} probe type: the path to a host, hop by hop, with loss and round trips per hop (like
 * {@code mtr --report}), by ICMP echo, UDP or TCP SYN probes, over IPv4 and IPv6.
 *
 * <p>Owns one {@link TraceChannel} per mode and address family, shared by all of its traces and opened on first
 * use, and one timer thread for the probes' timeouts; {@link #close()} closes them. No thread waits per trace.
 */
public final class TracerouteProbeProvider implements ProbeProvider {
    static final String TYPE = "traceroute";
    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("Traceroute / MTR")
            .description("Finds the path to a host hop by hop and reports each hop's address, loss and round-trip "
                    + "times, like mtr --report.")
            .versionOf(TracerouteProbeProvider.class)
            .targetDescription("host name or IP address")
            .parameter(ParameterSpec.builder("mode", ParameterType.ENUM)
                    .description("Probe packets: icmp (echo requests; ping sockets or CAP_NET_RAW), udp (to a closed "
                            + "port; no privilege needed) or tcp (SYN to a port; CAP_NET_RAW).")
                    .allowedValues("icmp", "udp", "tcp").defaultValue("icmp").build())
            .parameter(ParameterSpec.builder("port", ParameterType.INTEGER)
                    .description("Destination port of udp and tcp probes; 0 means 33434 for udp, 80 for tcp.")
                    .defaultValue(0L).min(0).max(65535).build())
            .parameter(ParameterSpec.builder("probesPerHop", ParameterType.INTEGER)
                    .description("Probes sent to each hop.").defaultValue(3L).min(1).max(20).build())
            .parameter(ParameterSpec.builder("maxHops", ParameterType.INTEGER)
                    .description("Largest TTL (IPv6 hop limit) tried.").defaultValue(30L).min(1).max(64).build())
            .parameter(ParameterSpec.builder("probeTimeout", ParameterType.DURATION)
                    .description("How long to wait for each probe's answer (within the attempt's deadline).")
                    .defaultValue(Duration.ofSeconds(1)).min(1).max(60_000).build())
            .parameter(ParameterSpec.builder("reverseNames", ParameterType.BOOLEAN)
                    .description("Look up each hop's name (PTR) with the system resolver, within the attempt's "
                            + "deadline.").defaultValue(false).build())
            .parameter(IpVersion.parameter())
            .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder()
                    .problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE))
                    .displayName("路由追踪 / MTR")
                    .description("逐跳探测到目标主机的路径，报告每一跳的地址、丢包率和往返时间，类似 mtr --report。")
                    .targetDescription("主机名或 IP 地址")
                    .parameter("mode", "探测包类型：icmp（回显请求；需 ping 套接字或 CAP_NET_RAW）、udp（发往未监听端口；"
                            + "无需特权）或 tcp（向端口发送 SYN；需 CAP_NET_RAW）。")
                    .parameter("port", "udp 和 tcp 探测的目标端口；0 表示 udp 用 33434、tcp 用 80。")
                    .parameter("probesPerHop", "每一跳发送的探测包数。")
                    .parameter("maxHops", "尝试的最大 TTL（IPv6 跳数限制）。")
                    .parameter("probeTimeout", "每个探测包等待应答的时间（不超过本次拨测的截止时间）。")
                    .parameter("reverseNames", "用系统解析器反查每一跳的名称（PTR），不超过本次拨测的截止时间。")
                    .parameters(IpVersion.DESCRIPTION_ZH_CN)
                    .build())
            .build();

    private final SharedChannels<String, TraceChannel> channels =
            new SharedChannels<>("the traceroute provider is closed", TraceChannel::close);
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();

    public TracerouteProbeProvider() {
        timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon()
                .name("vantage-traceroute-timer").unstarted(r));
        timer.setRemoveOnCancelPolicy(true);
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
        Mode mode = Mode.valueOf(config.string("mode").toUpperCase(Locale.ROOT));
        int port = (int) config.integer("port");
        if (mode == Mode.ICMP && port != 0) {
            problems.add(ProblemTexts.SUPPORT.problem("port", "support.icmpPort"));
        }
        if (port == 0) {
            port = mode == Mode.TCP ? 80 : 33434;
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new TracerouteProbe(this, host, mode, port, (int) config.integer("probesPerHop"),
                (int) config.integer("maxHops"), config.duration("probeTimeout"), config.bool("reverseNames"),
                IpVersion.of(config.string(IpVersion.PARAMETER)));
    }

    ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    /** The shared sockets for this mode and family, opened on first use. */
    TraceChannel channel(Mode mode, boolean v6) throws ProbeException {
        return channels.get(mode.name() + (v6 ? 6 : 4), () -> TraceChannel.open(mode, v6));
    }

    /** Runs reverse lookups, which block in the JDK resolver, one virtual thread each. */
    ExecutorService lookups() {
        return lookups;
    }

    /** Closes every socket; traces in flight end as CANCELLED. */
    @Override
    public void close() {
        channels.close();
        timer.shutdownNow();
        lookups.shutdownNow();
    }
}
