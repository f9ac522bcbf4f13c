package com.example.vantage.plugin;

import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.plugin.support.HostPort;
import java.nio.charset.StandardCharsets;

/**
 * The {@code example-echo} probe type: connects over TCP to {@code host:port}, sends one line and expects the same
 * line back. Phases: {@code dns}, {@code connect}, {@code exchange} (line sent to echo read).
 */
public final class EchoProbeProvider implements ProbeProvider {
    static final String TYPE = "example-echo";
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
        HostPort target;
        try {
            target = HostPort.parse(config.target()); // probe-plugin-support parses host:port as every built-in plugin does
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("target", e.getMessage());
        }
        String line = (config.has("token") ? config.string("token") + " " : "") + config.string("message") + "\n";
        return new EchoProbe(target.host(), target.port(), line.getBytes(StandardCharsets.UTF_8));
    }
}
