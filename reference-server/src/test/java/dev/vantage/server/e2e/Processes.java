package dev.vantage.server.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts the real server and agent jars as separate JVMs, with their output in files the test can read. */
final class Processes {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    static final Path SERVER_JAR = ROOT.resolve("reference-server/target/vantage-server.jar");
    static final Path AGENT_JAR = ROOT.resolve("reference-agent/target/vantage-agent.jar");

    private Processes() {
    }

    /** A started JVM; {@link #log} holds what it printed. */
    record Jvm(String name, Process process, Path log) {
        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }

        /** kill -9: no shutdown hook runs, nothing is flushed. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        void stop(Duration grace) throws InterruptedException {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                kill();
            }
        }
    }

    static Jvm start(String name, Path jar, Path workDir, Map<String, String> env, Path logDir, String... args)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the build's package phase first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        Files.createDirectories(workDir);
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new Jvm(name, pb.start(), log);
    }
}
