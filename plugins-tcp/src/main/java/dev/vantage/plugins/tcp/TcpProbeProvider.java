package dev.vantage.plugins.tcp;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;
import javax.net.ssl.SNIHostName;

/**
 * The {@code tcp} probe type: connects to {@code host:port}, optionally completes a TLS handshake, sends a payload
 * and waits for a reply that matches a regular expression or starts with given bytes.
 *
 * <p>Phases: {@code dns}, {@code connect}, {@code tls} (with {@code tls=true}), then {@code banner} (expect without
 * send: from connected to matched) or {@code exchange} (from the first byte sent to the reply matched).
 */
public final class TcpProbeProvider implements ProbeProvider {
    static final String TYPE = "tcp";
    static final int DEFAULT_READ_BYTES = 4096;
    // Pairs of hex digits, blanks allowed between them.
    private static final String HEX = "\\s*([0-9A-Fa-f]{2}\\s*)*";

    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("TCP")
            .description("Connects to a TCP port, optionally over TLS, and optionally checks a banner or an "
                    + "exchange of bytes.")
            .version(version())
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
                    .description("Text (UTF-8) to send once connected.").build())
            .parameter(ParameterSpec.builder("sendHex", ParameterType.STRING).pattern(HEX)
                    .description("Bytes to send once connected, in hex.").build())
            .parameter(ParameterSpec.builder("expect", ParameterType.STRING)
                    .description("Regular expression the reply text must contain.").build())
            .parameter(ParameterSpec.builder("expectHex", ParameterType.STRING).pattern(HEX)
                    .description("Bytes, in hex, the reply must start with.").build())
            .parameter(ParameterSpec.builder("readBytes", ParameterType.INTEGER).defaultValue((long) DEFAULT_READ_BYTES)
                    .min(1).max(1 << 20)
                    .description("Most bytes read while waiting for the expected reply.").build())
            .parameter(ParameterSpec.builder("ipVersion", ParameterType.ENUM).defaultValue("any")
                    .allowedValues("any", "4", "6")
                    .description("Address family to use; 'any' takes the resolver's first address.").build())
            .build();

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
        HostPort target = null;
        try {
            target = HostPort.parse(config.target());
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.of("target", e.getMessage()));
        }

        boolean tls = config.bool("tls");
        String sni = config.has("sni") ? config.string("sni") : null;
        if (sni != null && !tls) {
            problems.add(ConfigProblem.of("sni", "only applies with tls=true"));
        } else if (sni != null && !validServerName(sni)) {
            problems.add(ConfigProblem.of("sni", "must be a DNS host name, not an IP address: '" + sni + "'"));
        }

        byte[] send = null;
        if (config.has("send") && config.has("sendHex")) {
            problems.add(ConfigProblem.of("sendHex", "set either send or sendHex, not both"));
        } else if (config.has("send")) {
            send = config.string("send").getBytes(StandardCharsets.UTF_8);
        } else if (config.has("sendHex")) {
            send = hex(config.string("sendHex"), "sendHex", problems);
        }

        Expectation expect = null;
        if (config.has("expect") && config.has("expectHex")) {
            problems.add(ConfigProblem.of("expectHex", "set either expect or expectHex, not both"));
        } else if (config.has("expect")) {
            try {
                expect = Expectation.regex(config.string("expect"));
            } catch (PatternSyntaxException e) {
                problems.add(ConfigProblem.of("expect", "invalid regular expression: " + e.getDescription()
                        + " near index " + e.getIndex()));
            }
        } else if (config.has("expectHex")) {
            byte[] prefix = hex(config.string("expectHex"), "expectHex", problems);
            if (prefix != null && prefix.length == 0) {
                problems.add(ConfigProblem.of("expectHex", "must name at least one byte"));
            } else if (prefix != null) {
                expect = Expectation.prefix(prefix);
            }
        }

        long readBytes = config.integer("readBytes");
        if (readBytes < 1 || readBytes > 1 << 20) {
            problems.add(ConfigProblem.of("readBytes", "must be 1 to 1048576"));
        }

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        Class<? extends InetAddress> family = switch (config.string("ipVersion")) {
            case "4" -> Inet4Address.class;
            case "6" -> Inet6Address.class;
            default -> InetAddress.class;
        };
        return new TcpProbe(target, family, tls, sni == null ? target.host() : sni, config.bool("verifyTls"),
                send, expect, (int) readBytes);
    }

    private static byte[] hex(String text, String key, List<ConfigProblem> problems) {
        try {
            return Expectation.hex(text);
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.of(key, "not hex (pairs of 0-9a-f): " + e.getMessage()));
            return null;
        }
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

    private static String version() {
        String v = TcpProbeProvider.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }
}
