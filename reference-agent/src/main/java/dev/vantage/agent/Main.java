package dev.vantage.agent;

import dev.vantage.agent.cli.LaunchCommand;
import dev.vantage.agent.cli.PluginsCommand;
import dev.vantage.agent.cli.ProbeCommand;
import dev.vantage.agent.cli.ReleaseKeyCommand;
import dev.vantage.agent.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vantage-agent}: the probe engine with every plugin, on the command line. */
@Command(name = "vantage-agent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Vantage agent: probe hosts and services from this machine, once or as a remote agent of a server.",
        subcommands = {ProbeCommand.class, PluginsCommand.class, RunCommand.class, LaunchCommand.class,
                ReleaseKeyCommand.class})
public final class Main {

    public static void main(String[] args) {
        // the agent's Logback set-up lives under its package, so that this jar brings no logback.xml to those who
        // embed its runtime (the server); an operator's own file (-Dlogback.configurationFile) wins
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/vantage/agent/logback.xml");
        }
        String logFormat = dev.vantage.agent.cli.AgentEnvironment.VANTAGE_LOG_FORMAT.value().orElse("text");
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            System.err.println("vantage-agent: VANTAGE_LOG_FORMAT must be text or json, got '" + logFormat + "'");
            System.exit(2);
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the command line with its output and errors going to the given writers, for tests. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
        // bad input exits 2 with a message, as documented; picocli's default is also 2 for usage errors
        cli.setExitCodeExceptionMapper(e -> 2);
        return cli.execute(args);
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vantage-agent " + (v == null ? "dev" : v)};
        }
    }
}
