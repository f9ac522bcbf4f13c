package dev.vantage.benchmarks.server;

import java.nio.file.Path;
import java.util.Map;

/** What the whole-process harnesses share: their {@code main}, and where they find the jars they start. */
final class HarnessMain {
    /** A harness's run, given its {@code --name value} options. */
    @FunctionalInterface
    interface Run {
        void run(Map<String, String> options) throws Exception;
    }

    private HarnessMain() {
    }

    /** Reads the options, runs, and exits 0, or 2 after printing why it failed. */
    static void main(String[] args, Run run) {
        try {
            run.run(IngestHarness.options(args));
            System.exit(0);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
    }

    /** {@code --server-jar}, by default the one the build made. */
    static Path serverJar(Map<String, String> o) {
        return Path.of(o.getOrDefault("server-jar", "reference-server/target/vantage-server.jar"));
    }

    /** {@code --agent-jar}, by default the one the build made. */
    static Path agentJar(Map<String, String> o) {
        return Path.of(o.getOrDefault("agent-jar", "reference-agent/target/vantage-agent.jar"));
    }
}
