package dev.vantage.server.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the real server and agent jars as separate JVMs, with their output in files the test can read. The one
 * place tests launch the jars, so every such test gets the same clean environment and readiness wait.
 */
public final class Processes {
    public static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    public static final Path SERVER_JAR = ROOT.resolve("reference-server/target/vantage-server.jar");
    public static final Path AGENT_JAR = ROOT.resolve("reference-agent/target/vantage-agent.jar");

    private Processes() {
    }

    /** A started JVM; {@link #log} holds what it printed. */
    public record Jvm(String name, Process process, Path log) {
        public String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }

        /** kill -9: no shutdown hook runs, nothing is flushed. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        /** SIGTERM, then kill -9 after {@code grace}. */
        public void stop(Duration grace) throws InterruptedException {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                kill();
            }
        }
    }

    /**
     * Starts {@code java -jar jar args} in {@code workDir} with {@code env} on top of this process's environment,
     * minus any {@code VANTAGE_*} and {@code SERVER_*} variables a developer's shell may hold.
     */
    public static Jvm start(String name, Path jar, Path workDir, Map<String, String> env, Path logDir, String... args)
            throws IOException {
        return start(List.of(), List.of("-jar", jar.toString()), name, jar, workDir, env, logDir, args);
    }

    /**
     * Starts {@code java -cp jar:more... mainClass args}, as an operator who adds jars to the class path does;
     * otherwise as {@link #start}.
     */
    public static Jvm startClassPath(String name, Path jar, List<Path> more, String mainClass, Path workDir,
            Map<String, String> env, Path logDir, String... args) throws IOException {
        List<String> classPath = new ArrayList<>(List.of(jar.toString()));
        more.forEach(p -> classPath.add(p.toString()));
        return start(List.of(), List.of("-cp", String.join(java.io.File.pathSeparator, classPath), mainClass), name, jar,
                workDir, env, logDir, args);
    }

    /** Like {@link #start}, inside the network namespace {@code netns} (needs root; {@code ip} execs the JVM). */
    public static Jvm startInNetns(String netns, String name, Path jar, Path workDir, Map<String, String> env,
                                   Path logDir, String... args) throws IOException {
        return start(List.of("ip", "netns", "exec", netns), List.of("-jar", jar.toString()), name, jar, workDir, env,
                logDir, args);
    }

    private static Jvm start(List<String> prefix, List<String> launch, String name, Path jar, Path workDir,
                             Map<String, String> env, Path logDir, String... args) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the build's package phase first");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.addAll(launch);
        command.addAll(List.of(args));
        Files.createDirectories(workDir);
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VANTAGE_") || k.startsWith("SERVER_"));
        pb.environment().putAll(env);
        return new Jvm(name, pb.start(), log);
    }

    /** A loopback port nobody listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits until {@code base + "/ready"} answers 200.
     *
     * @throws AssertionError with the server's output if it dies or is not ready within a minute
     */
    public static void awaitReady(String base, Jvm server) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && server.process().isAlive()) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(server.name() + " did not become ready:\n" + server.output());
    }
}
