package dev.vantage.agent.cli;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.engine.PluginJar;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vantage-agent plugins}: the installed probe types and their parameters. */
@Command(name = "plugins", mixinStandardHelpOptions = true, description = "List installed probe types and their parameters.")
public final class PluginsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PluginsDirOption plugins;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<PluginJar> jars;
        ProbeEngine built;
        try {
            jars = plugins.load();
            built = PluginsDirOption.engine(jars, dev.vantage.probe.engine.AddressPolicy.allowAll());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        try (ProbeEngine engine = built) {
            for (ProbeDescriptor d : engine.descriptors().values()) {
                out.println(d.type() + " (" + d.displayName() + ", " + d.version() + "): " + d.description());
                jars.stream().filter(j -> j.types().contains(d.type())).forEach(j ->
                        out.println("  jar: " + j.path().getFileName() + " (" + j.name() + " " + j.version()
                                + ", sha256 " + j.sha256() + ")"));
                out.println("  target: " + d.targetDescription());
                for (ParameterSpec p : d.parameters()) {
                    out.println("  --param " + p.name() + "=<" + p.type().name().toLowerCase(java.util.Locale.ROOT) + ">"
                            + (p.defaultValue() != null ? " (default " + shown(p.defaultValue()) + ")" : "")
                            + (p.required() ? " (required)" : "") + (p.secret() ? " (secret)" : "")
                            + (p.allowedValues().isEmpty() ? "" : " " + p.allowedValues())
                            + "  " + p.description());
                }
            }
        }
        return 0;
    }

    private static Object shown(Object value) {
        return value instanceof java.time.Duration d ? dev.vantage.probe.engine.Durations.format(d) : value;
    }
}
