package dev.vantage.agent.update;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vantage-agent launch}: a small supervisor that runs the agent ({@code run}) as a child JVM from the version
 * {@link Versions} names, and switches versions without losing the way back. When the agent exits with
 * {@link Versions#EXIT_SWITCH} after installing a trial version, the launcher starts that version; if it does not
 * connect and get welcomed by the server (its {@code healthy} marker) within the health timeout, or exits before,
 * the launcher stops it and starts the previous version again, telling it the reason to report. A healthy trial
 * becomes current. Any other exit status of the agent ends the launcher with that status.
 *
 * <p>The launcher's own code never changes during its life: it is the jar the operator started, which is also the
 * version used while no other is current.
 */
public final class Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    /**
     * @param dataDir       the agent's data directory (holds {@code versions/})
     * @param healthTimeout how long a trial version has to connect and be welcomed
     * @param runArgs       options for {@code run}
     * @param jvmArgs       options for the child JVM (e.g. {@code -Xmx})
     * @param ownJar        the jar run while no other version is current
     */
    public record Settings(Path dataDir, Duration healthTimeout, List<String> runArgs, List<String> jvmArgs,
                           Path ownJar) {
    }

    private final Settings settings;
    private final Versions versions;
    private volatile boolean stopping;
    private volatile Process child;

    public Launcher(Settings settings) {
        this.settings = settings;
        this.versions = new Versions(settings.dataDir());
    }

    /** Supervises until the agent exits for good; returns its exit status. */
    public int run() throws IOException, InterruptedException {
        String rolledBack = null;
        String reason = null;
        while (!stopping) {
            Optional<String> trial = versions.trial();
            int code;
            if (trial.isPresent()) {
                String v = trial.get();
                versions.clearTrial(); // tried once, whatever happens: a crash of the launcher itself falls back too
                Process p = start(new Versions.Launch(v, true, null, null));
                String failure = awaitHealthy(p, v);
                if (failure != null) {
                    if (stopping) {
                        break;
                    }
                    LOG.warn("version {} rolled back: {}", v, failure);
                    stop(p);
                    rolledBack = v;
                    reason = failure;
                    continue;
                }
                String previous = versions.current().orElse(null);
                versions.setCurrent(v);
                LOG.info("version {} is healthy: it is the current version now", v);
                // the way back stays; older and rolled back versions go
                java.util.Set<String> keep = new java.util.HashSet<>(java.util.Arrays.asList(v, previous));
                versions.prune(keep);
                code = p.waitFor();
            } else {
                String current = versions.current().filter(v -> Files.isRegularFile(versions.jar(v))).orElse(null);
                Process p = start(new Versions.Launch(current, false, rolledBack, reason));
                rolledBack = null;
                reason = null;
                code = p.waitFor();
            }
            if (code != Versions.EXIT_SWITCH) {
                return stopping ? 0 : code;
            }
        }
        return 0;
    }

    /** Stops the agent (SIGTERM, then kill after 15 s) and ends {@link #run}; for the launcher's shutdown hook. */
    public void shutdown() {
        stopping = true;
        Process p = child;
        if (p != null) {
            stop(p);
        }
    }

    /** Null once version {@code v} is healthy, else why it is not. */
    private String awaitHealthy(Process p, String v) throws InterruptedException {
        long deadline = System.nanoTime() + settings.healthTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            if (versions.healthy(v)) {
                return null;
            }
            if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
                return versions.healthy(v) ? null
                        : "version " + v + " exited with status " + p.exitValue() + " before it reported healthy";
            }
        }
        return "version " + v + " did not connect and report healthy within " + settings.healthTimeout().toSeconds() + "s";
    }

    private Process start(Versions.Launch launch) throws IOException {
        versions.writeLaunch(launch);
        Path jar = launch.release() == null ? settings.ownJar() : versions.jar(launch.release());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(settings.jvmArgs());
        command.addAll(List.of("-jar", jar.toString(), "run", "--launched", "--data-dir", settings.dataDir().toString()));
        command.addAll(settings.runArgs());
        LOG.info("starting agent version {}{} from {}", launch.release() == null ? "(bundled)" : launch.release(),
                launch.trial() ? " on trial" : "", jar);
        Process p = new ProcessBuilder(command).inheritIO().start();
        child = p;
        if (stopping) {
            stop(p); // the shutdown hook ran while this one was starting
        }
        return p;
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
