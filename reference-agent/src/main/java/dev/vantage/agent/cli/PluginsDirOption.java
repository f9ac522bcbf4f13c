package dev.vantage.agent.cli;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.PluginJar;
import dev.vantage.probe.engine.ProbeEngine;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --plugins-dir}, shared by every command that builds an engine: where plugin jars are loaded from. */
final class PluginsDirOption {

    @Option(names = "--plugins-dir", description = "Directory of plugin jars, each loaded in a class loader of its own "
            + "(default: $VANTAGE_PLUGINS_DIR or ./plugins; a missing directory holds none).")
    Path pluginsDir;

    Path directory() {
        return pluginsDir != null ? pluginsDir : Path.of(AgentEnvironment.VANTAGE_PLUGINS_DIR.value().orElse("plugins"));
    }

    /**
     * The jars of the directory.
     *
     * @throws IllegalArgumentException naming the option and the jar that is not a plugin
     */
    List<PluginJar> load() {
        try {
            return PluginJar.loadDirectory(directory());
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("--plugins-dir: " + e.getMessage(), e);
        }
    }

    /**
     * An engine with the class path's plugins and these jars, under {@code policy}, for the one-shot commands.
     *
     * @throws IllegalArgumentException naming the option, when a jar's type is provided twice
     */
    static ProbeEngine engine(List<PluginJar> jars, AddressPolicy policy) {
        ProbeEngine.Builder builder = ProbeEngine.builder().addressPolicy(policy);
        jars.forEach(builder::addPluginJar);
        try {
            return builder.build();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("--plugins-dir: " + e.getMessage(), e);
        }
    }
}
