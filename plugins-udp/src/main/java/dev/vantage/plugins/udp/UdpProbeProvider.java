package dev.vantage.plugins.udp;

import dev.vantage.probe.plugin.support.ProblemTexts;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.plugin.support.Bytes;
import dev.vantage.probe.plugin.support.Expectation;
import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.LoopbackWarmUp;
import dev.vantage.probe.plugin.support.RoundTrips;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code udp} probe type: sends {@code count} datagrams to {@code host:port}, {@code interval} apart, and
 * measures replies like ping does: {@code sent}, {@code received}, {@code lossPercent}, {@code rttMinMs},
 * {@code rttAvgMs}, {@code rttMaxMs}, {@code rttMdevMs}, {@code jitterMs} and the samples {@code rttMs}.
 *
 * <p>UDP replies carry nothing that names the datagram they answer, so a reply is matched to the latest datagram
 * still without one. That is exact while replies come back within the interval (the usual case, losses included);
 * a reply slower than the interval is credited to the next datagram, which skews single round-trip times but not
 * the counts.
 */
public final class UdpProbeProvider implements ProbeProvider {
    static final String TYPE = "udp";

    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("UDP")
            .description("Sends datagrams to a UDP service and measures replies: loss and round-trip times.")
            .versionOf(UdpProbeProvider.class)
            .targetDescription("host:port, an IPv6 address in brackets: [::1]:53")
            .parameter(ParameterSpec.builder("payload", ParameterType.STRING)
                    .description("Text (UTF-8) of each datagram; this or payloadHex is required.").build())
            .parameter(ParameterSpec.builder("payloadHex", ParameterType.STRING).pattern(Bytes.HEX_PATTERN)
                    .description("Bytes of each datagram, in hex.").build())
            .parameter(Expectation.TEXT_PARAMETER)
            .parameter(Expectation.HEX_PARAMETER)
            .parameter(ParameterSpec.builder("count", ParameterType.INTEGER).defaultValue(3L).min(1).max(1000)
                    .description("Datagrams to send per attempt.").build())
            .parameter(ParameterSpec.builder("interval", ParameterType.DURATION).defaultValue(Duration.ofMillis(200))
                    .min(0).max(60_000)
                    .description("Time between datagrams; (count - 1) × interval must end before the deadline (timeout less 1/10, at most 100 ms).").build())
            .parameter(IpVersion.parameter())
            .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder()
                    .problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE))
                    .description("向 UDP 服务发送数据报并测量回复：丢包率和往返时间。")
                    .targetDescription("主机:端口，IPv6 地址用方括号：[::1]:53")
                    .parameter("payload", "每个数据报的文本（UTF-8）；与 payloadHex 二选一，必填。")
                    .parameter("payloadHex", "每个数据报的字节（十六进制）。")
                    .parameter("count", "每次拨测发送的数据报数。")
                    .parameter("interval", "数据报之间的间隔；(count - 1) × interval 必须在截止时间（超时减去 1/10，至多 100 毫秒）前结束。")
                    .parameters(Expectation.DESCRIPTIONS_ZH_CN)
                    .parameters(IpVersion.DESCRIPTION_ZH_CN)
                    .build())
            .build();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProbeDescriptor describe() {
        return DESCRIPTOR;
    }

    /**
     * One datagram to an echo responder of its own on loopback: a cold JVM otherwise adds tens of milliseconds
     * (datagram channel classes) to the first attempt.
     */
    @Override
    public void warmUp() throws Exception {
        warmUpExchanges();
    }

    /** The warm-up; returns how many datagrams its responder echoed (1 once the exchange took place). */
    int warmUpExchanges() throws Exception {
        AtomicInteger echoed = new AtomicInteger();
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread responder = Thread.ofVirtual().name("vantage-udp-warm-up").start(() -> {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[64], 64);
                    echo.receive(p);
                    echo.send(p); // back to its sender
                    echoed.incrementAndGet();
                } catch (IOException e) {
                    // closed: the attempt reports what went wrong
                }
            });
            LoopbackWarmUp.run(this, echo.getLocalAddress().getHostAddress() + ":" + echo.getLocalPort(),
                    "payload", "warm-up", "count", 1L);
            responder.join(LoopbackWarmUp.LIMIT);
        }
        return echoed.get();
    }

    @Override
    public Probe create(ProbeConfig config) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        HostPort target = ConfigProblem.check("target", () -> HostPort.parse(config.target()), problems);

        byte[] payload = null;
        if (config.has("payload") && config.has("payloadHex")) {
            problems.add(ProblemTexts.SUPPORT.problem("payloadHex", "support.eitherOr", "payload", "payloadHex"));
        } else if (config.has("payload")) {
            payload = config.string("payload").getBytes(StandardCharsets.UTF_8);
        } else if (config.has("payloadHex")) {
            payload = ConfigProblem.check("payloadHex", () -> Bytes.hex(config.string("payloadHex")), problems);
        } else {
            problems.add(ProblemTexts.SUPPORT.problem("payload", "support.oneOf", "payload", "payloadHex"));
        }
        if (payload != null && (payload.length == 0 || payload.length > 65_507)) {
            // the JDK's datagram channel silently skips writing an empty datagram
            problems.add(ProblemTexts.SUPPORT.problem(config.has("payload") ? "payload" : "payloadHex",
                    "support.bytes", 1, 65507, payload.length));
        }

        Expectation expect = Expectation.fromConfig(config, problems);

        long count = config.integer("count");
        Duration interval = config.duration("interval");
        if (count < 1 || count > 1000) {
            problems.add(ProblemTexts.SUPPORT.problem("count", "support.range", 1, 1000));
        } else if (interval.isNegative()) {
            problems.add(ProblemTexts.SUPPORT.problem("interval", "support.notNegative"));
        } else {
            RoundTrips.checkSpacing(count, interval, config, problems);
        }

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        IpVersion family = IpVersion.of(config.string(IpVersion.PARAMETER));
        return new UdpProbe(target, family, payload, expect, (int) count, interval.toNanos());
    }
}
