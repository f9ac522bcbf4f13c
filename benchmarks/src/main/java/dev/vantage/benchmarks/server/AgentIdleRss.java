package dev.vantage.benchmarks.server;

import dev.vantage.benchmarks.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's memory when idle, started as the image starts it: {@code java <the Dockerfile's JVM options> -jar
 * vantage-agent.jar launch --metrics-listen ...} (the launcher, which runs the agent as a child JVM with the same
 * options), enrolled to a server on loopback and connected, no tasks. Every 10 s it prints the resident set size
 * ({@code VmRSS}) of the launcher, of the agent and their sum, and that sum with the files both map (the JDK's
 * libjvm and class-data archive, the same jar) counted once: the larger of the two processes' file-backed parts
 * ({@code RssFile}) instead of both. A container's memory counts a shared page once; proportional set sizes would
 * also divide the JDK's pages with every other JVM on this shared machine.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.vantage.benchmarks.server.AgentIdleRss --seconds 120
 * </pre>
 *
 * Options: {@code --server-jar}, {@code --agent-jar}, {@code --agent-jvm} (the launcher's JVM options,
 * space-separated; default: those of the agent image's ENTRYPOINT in {@code --dockerfile}, default
 * deploy/docker/Dockerfile), {@code --child-jvm} (the agent's, as {@code VANTAGE_AGENT_JVM_OPTIONS}; default: the
 * image's, or else the launcher's), {@code --seconds} 120. The JDK is the one running this harness (not the image's jlink'd runtime).
 */
public final class AgentIdleRss {
    private static final String ADMIN_PASSWORD = "agent-idle-rss-admin-1";

    private AgentIdleRss() {
    }

    public static void main(String[] args) {
        HarnessMain.main(args, AgentIdleRss::run);
    }

    private static void run(Map<String, String> o) throws Exception {
        Path serverJar = HarnessMain.serverJar(o);
        Path agentJar = HarnessMain.agentJar(o);
        String dockerfile = Files.readString(Path.of(o.getOrDefault("dockerfile", "deploy/docker/Dockerfile")));
        List<String> agentJvm = DeployedHarness.jvmOptions(o.getOrDefault("agent-jvm", launcherOptions(dockerfile)));
        String childJvm = o.getOrDefault("child-jvm", agentOptions(dockerfile));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "120"));
        System.out.printf("agent idle RSS: %s, launcher JVM options %s, agent JVM options %s, loadavg %s, %s%n",
                agentJar, agentJvm, childJvm == null ? "the same" : childJvm, IngestHarness.loadavg(), Instant.now());
        try (ServerProcess server = ServerProcess.start(serverJar, List.of(), ADMIN_PASSWORD, false,
                Duration.ofSeconds(120))) {
            ServerApi api = new ServerApi(server.base());
            api.login("admin", ADMIN_PASSWORD);
            Path dir = server.dataDir().resolve("agent");
            Files.createDirectories(dir);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(agentJvm);
            command.addAll(List.of("-jar", agentJar.toAbsolutePath().toString(), "launch",
                    "--metrics-listen", "127.0.0.1:0"));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("agent.log").toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("VANTAGE_") || k.startsWith("SERVER_"));
            // what the image sets, and what an operator passes to it
            pb.environment().putAll(Map.of("VANTAGE_LOG_FORMAT", "json", "VANTAGE_AGENT_DATA_DIR", dir.toString(),
                    "VANTAGE_SERVER", server.agentSocket().toString(), "VANTAGE_ENROLL_TOKEN", api.enrollmentToken(1)));
            if (childJvm != null) {
                pb.environment().put("VANTAGE_AGENT_JVM_OPTIONS", childJvm);
            }
            Process launcher = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> launcher.descendants().forEach(ProcessHandle::destroy)));
            try {
                long start = System.nanoTime();
                long end = start + TimeUnit.SECONDS.toNanos(seconds);
                long rss = 0;
                long once = 0;
                while (System.nanoTime() < end) {
                    Thread.sleep(10_000);
                    if (!launcher.isAlive()) {
                        throw new IOException("the launcher exited; see " + dir.resolve("agent.log"));
                    }
                    ProcStat.Resident own = ProcStat.resident(launcher.pid());
                    long anon = 0;
                    long file = 0;
                    for (ProcessHandle child : launcher.descendants().toList()) {
                        ProcStat.Resident r = ProcStat.resident(child.pid());
                        anon += r.anon();
                        file += r.file();
                    }
                    rss = own.total() + anon + file;
                    // the JDK's files are the same in both: counted once, as a container's memory counts them
                    once = own.anon() + anon + Math.max(own.file(), file);
                    System.out.printf("t=%3d s  RSS launcher %5.1f (anon %5.1f, files %5.1f) + agent %5.1f (anon %5.1f,"
                                    + " files %5.1f) = %5.1f MB; files counted once %5.1f MB; connected %s%n",
                            (System.nanoTime() - start) / 1_000_000_000, mb(own.total()), mb(own.anon()),
                            mb(own.file()), mb(anon + file), mb(anon), mb(file), mb(rss), mb(once), online(api));
                }
                System.out.printf("after %d s idle: RSS %.1f MB, with the shared files counted once %.1f MB (launcher and"
                        + " agent), loadavg %s%n", seconds, mb(rss), mb(once), IngestHarness.loadavg());
            } finally {
                launcher.descendants().forEach(ProcessHandle::destroy);
                launcher.destroy();
                if (!launcher.waitFor(20, TimeUnit.SECONDS)) {
                    launcher.destroyForcibly();
                }
            }
        }
    }

    /** The JVM options of the agent image's ENTRYPOINT: between {@code "java"} and {@code "-jar"}. */
    static String launcherOptions(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^ENTRYPOINT \\[\"java\", (.*?), \"-jar\", \"[^\"]*vantage-agent\\.jar\"")
                .matcher(dockerfile);
        if (!m.find()) {
            throw new IllegalArgumentException("no agent ENTRYPOINT in the Dockerfile");
        }
        return String.join(" ", m.group(1).replace("\"", "").split(",\\s*"));
    }

    /** The image's {@code VANTAGE_AGENT_JVM_OPTIONS}, or null (the agent then gets the launcher's options). */
    static String agentOptions(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^ENV VANTAGE_AGENT_JVM_OPTIONS=\"([^\"]*)\"").matcher(dockerfile);
        return m.find() ? m.group(1) : null;
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    private static boolean online(ServerApi api) throws Exception {
        for (var a : api.page("/api/v1/agents")) {
            if (a.path("online").asBoolean()) {
                return true;
            }
        }
        return false;
    }
}
