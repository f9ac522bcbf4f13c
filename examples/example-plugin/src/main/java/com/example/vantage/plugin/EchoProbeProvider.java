package com.example.vantage.plugin;

import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code example-echo} probe type: connects over TCP to {@code host:port}, sends one line and expects the same
 * line back. Phases: {@code dns}, {@code connect}, {@code exchange} (line sent to echo read).
 */
public final class EchoProbeProvider implements ProbeProvider {
    static final String TYPE = "example-echo";
    // host:port or [IPv6]:port; anything else is refused here rather than handed to a resolver.
    private static final Pattern TARGET = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9.-]+)):([0-9]{1,5})");
    private static final String ONE_LINE = "[^\\r\\n]*";

    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("Echo (example plugin)")
            .description("Sends one line over TCP and expects the same line back.")
            .targetDescription("host:port, an IPv6 address in brackets: [::1]:7")
            .parameter(ParameterSpec.builder("message", ParameterType.STRING).defaultValue("vantage")
                    .min(1).max(512).pattern(ONE_LINE)
                    .description("The text to send (one line, without the line break).").build())
            .parameter(ParameterSpec.builder("token", ParameterType.STRING).secret(true)
                    .min(1).max(256).pattern(ONE_LINE)
                    .description("A shared secret sent before the message, as '<token> <message>', for echo "
                            + "services that only answer known clients. Never shown in results.").build())
            .build();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProbeDescriptor describe() {
        return DESCRIPTOR;
    }

    /** The engine has already checked the parameters against {@link #describe()}; only the target is left. */
    @Override
    public Probe create(ProbeConfig config) throws InvalidConfigException {
        Matcher m = TARGET.matcher(config.target());
        int port = m.matches() ? Integer.parseInt(m.group(3)) : 0;
        if (port < 1 || port > 65535) {
            throw new InvalidConfigException("target",
                    "expected host:port or [IPv6]:port with a port of 1-65535, got '" + config.target() + "'");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        String line = (config.has("token") ? config.string("token") + " " : "") + config.string("message") + "\n";
        return new EchoProbe(host, port, line.getBytes(StandardCharsets.UTF_8));
    }
}
