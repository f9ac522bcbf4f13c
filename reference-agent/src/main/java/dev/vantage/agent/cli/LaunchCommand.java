package dev.vantage.agent.cli;

import dev.vantage.agent.update.Launcher;
import dev.vantage.probe.engine.Durations;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code vantage-agent launch [run options]}: runs {@code run} as a child JVM under the {@link Launcher}, which
 * switches to signed releases the server rolls out and rolls back one that does not become healthy.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = "Run the agent (all 'run' options apply) under a small launcher that installs signed releases "
                + "rolled out by the server, keeps the previous version, and rolls back a version that does not "
                + "connect and report healthy in time. Needs --release-key for updates.",
        footer = {"", "Example:",
                "  vantage-agent launch --server wss://vantage.example/ws/agent --release-key release.pub",
                "", "Exit status: the agent's ('run')."})
public final class LaunchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "Where agent.json, the spool and versions/ live (default: "
            + "$VANTAGE_AGENT_DATA_DIR or ./agent-data).")
    Path dataDir;

    @Option(names = "--health-timeout", defaultValue = "60s", description = "How long a new version has to connect "
            + "and be welcomed by the server before it is rolled back (default 60s).")
    String healthTimeout;

    @Option(names = "--agent-jvm-options", description = "The agent JVM's options, space-separated, e.g. "
            + "\"-XX:+UseSerialGC -Xms16m\" (default: $VANTAGE_AGENT_JVM_OPTIONS, or else this launcher's own). The "
            + "launcher needs little memory; the agent's heap and collector can be sized apart from it.")
    String agentJvmOptions;

    @Unmatched
    List<String> runArgs = new java.util.ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        Path dir = dataDir != null ? dataDir : Path.of(AgentEnvironment.VANTAGE_AGENT_DATA_DIR.value().orElse("agent-data"));
        Duration timeout;
        Path ownJar;
        try {
            timeout = Durations.parse(healthTimeout);
            ownJar = Path.of(LaunchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("--health-timeout: " + e.getMessage());
            return 2;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!ownJar.toString().endsWith(".jar")) {
            spec.commandLine().getErr().println("launch: run me from vantage-agent.jar (java -jar vantage-agent.jar launch)");
            return 2;
        }
        String options = agentJvmOptions != null ? agentJvmOptions
                : AgentEnvironment.VANTAGE_AGENT_JVM_OPTIONS.value().orElse(null);
        List<String> jvmArgs = options == null ? ManagementFactory.getRuntimeMXBean().getInputArguments()
                : options.isBlank() ? List.of() : List.of(options.strip().split("\\s+"));
        Launcher launcher = new Launcher(new Launcher.Settings(dir, timeout, runArgs, jvmArgs, ownJar));
        Thread hook = new Thread(launcher::shutdown, "vantage-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return launcher.run();
        } catch (IOException e) {
            spec.commandLine().getErr().println("launch: " + e.getMessage());
            return 1;
        }
    }
}
