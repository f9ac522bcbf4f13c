package dev.vantage.plugins.tcp;

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
import dev.vantage.probe.plugin.support.TrustCheck;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The {@code tcp} probe type: connects to {@code host:port}, optionally completes a TLS handshake, sends a payload
 * and waits for a reply that matches a regular expression or starts with given bytes.
 *
 * <p>Phases: {@code dns}, {@code connect}, {@code tls} (with {@code tls=true}), then {@code banner} (expect without
 * send: from connected to matched) or {@code exchange} (from the first byte sent to the reply matched; without
 * expect, to the reply's first bytes).
 */
public final class TcpProbeProvider implements ProbeProvider {
    static final String TYPE = "tcp";
    static final int DEFAULT_READ_BYTES = 4096;

    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("TCP")
            .description("Connects to a TCP port, optionally over TLS, and optionally checks a banner or an "
                    + "exchange of bytes.")
            .versionOf(TcpProbeProvider.class)
            .targetDescription("host:port, an IPv6 address in brackets: [::1]:443")
            .parameter(ParameterSpec.builder("tls", ParameterType.BOOLEAN).defaultValue(false)
                    .description("Complete a TLS handshake after connecting.").build())
            .parameter(ParameterSpec.builder("sni", ParameterType.STRING)
                    .description("TLS server name to send and to verify the certificate against; "
                            + "defaults to the target host (not sent for an IP address).").build())
            .parameter(ParameterSpec.builder("verifyTls", ParameterType.BOOLEAN).defaultValue(true)
                    .description("Fail when the default trust store rejects the certificate chain or host name. "
                            + "When false the probe proceeds and reports tlsVerified and tlsVerifyError.").build())
            .parameter(ParameterSpec.builder("send", ParameterType.STRING)
                    .description("Text (UTF-8) to send once connected; the attempt then waits for the reply's first "
                            + "bytes (the exchange phase is that round trip).").build())
            .parameter(ParameterSpec.builder("sendHex", ParameterType.STRING).pattern(Bytes.HEX_PATTERN)
                    .description("Bytes to send once connected, in hex; the attempt then waits for the reply's first "
                            + "bytes.").build())
            .parameter(Expectation.TEXT_PARAMETER)
            .parameter(Expectation.HEX_PARAMETER)
            .parameter(ParameterSpec.builder("readBytes", ParameterType.INTEGER).defaultValue((long) DEFAULT_READ_BYTES)
                    .min(1).max(1 << 20)
                    .description("Most bytes read while waiting for the expected reply.").build())
            .parameter(IpVersion.parameter())
            .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder()
                    .problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE))
                    .description("连接一个 TCP 端口，可选 TLS 握手，可选检查欢迎语或收发一段字节。")
                    .targetDescription("主机:端口，IPv6 地址用方括号：[::1]:443")
                    .parameter("tls", "连接后完成 TLS 握手。")
                    .parameter("sni", "发送并用于校验证书的 TLS 服务器名；默认为目标主机（IP 地址时不发送）。")
                    .parameter("verifyTls", "默认信任库不接受证书链或主机名时判为失败。关闭时继续拨测，并报告 tlsVerified 和 tlsVerifyError。")
                    .parameter("send", "连接后发送的文本（UTF-8）；随后等待回复的首批字节（exchange 阶段即这一往返）。")
                    .parameter("sendHex", "连接后发送的字节（十六进制）；随后等待回复的首批字节。")
                    .parameter("readBytes", "等待预期回复时最多读取的字节数。")
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
     * One connect to a listener of its own on loopback: a cold JVM otherwise adds ~20 ms (socket and connect
     * classes) to the first attempt's {@code connect} phase. Then TLS without a peer: the default trust roots are
     * loaded and one ClientHello is written into a buffer, so that a first {@code tls=true} attempt does not spend
     * its handshake time loading classes.
     */
    @Override
    public void warmUp() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            warmUp(listener);
        }
    }

    /**
     * The warm-up against {@code listener}, on loopback; nobody needs to accept, the kernel completes the connect.
     * (Package-private: a test passes a listener of its own and accepts the warm-up's connection.)
     */
    void warmUp(ServerSocket listener) throws Exception {
        LoopbackWarmUp.run(this, listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {TrustCheck.of(TrustCheck.defaultRoots(), true)}, null);
        LoopbackWarmUp.clientHello(context.createSSLEngine("localhost", 443));
    }

    @Override
    public Probe create(ProbeConfig config) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        HostPort target = ConfigProblem.check("target", () -> HostPort.parse(config.target()), problems);

        boolean tls = config.bool("tls");
        String sni = config.has("sni") ? config.string("sni") : null;
        if (sni != null && !tls) {
            problems.add(ProblemTexts.SUPPORT.problem("sni", "support.onlyWith", "tls=true"));
        } else if (sni != null && !validServerName(sni)) {
            problems.add(ProblemTexts.SUPPORT.problem("sni", "support.sni", sni));
        }

        byte[] send = null;
        if (config.has("send") && config.has("sendHex")) {
            problems.add(ProblemTexts.SUPPORT.problem("sendHex", "support.eitherOr", "send", "sendHex"));
        } else if (config.has("send")) {
            send = config.string("send").getBytes(StandardCharsets.UTF_8);
        } else if (config.has("sendHex")) {
            send = ConfigProblem.check("sendHex", () -> Bytes.hex(config.string("sendHex")), problems);
        }

        Expectation expect = Expectation.fromConfig(config, problems);

        long readBytes = config.integer("readBytes");
        if (readBytes < 1 || readBytes > 1 << 20) {
            problems.add(ProblemTexts.SUPPORT.problem("readBytes", "support.range", 1, 1048576));
        }

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        IpVersion family = IpVersion.of(config.string(IpVersion.PARAMETER));
        return new TcpProbe(target, family, tls, sni == null ? target.host() : sni, config.bool("verifyTls"),
                send, expect, (int) readBytes);
    }

    private static boolean validServerName(String name) {
        if (HostPort.isLiteral(name)) {
            return false;
        }
        try {
            new SNIHostName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
