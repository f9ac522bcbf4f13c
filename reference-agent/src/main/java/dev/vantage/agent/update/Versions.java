package dev.vantage.agent.update;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The agent versions kept in {@code <data-dir>/versions/}, shared by the launcher and the agent it runs:
 * <pre>
 * versions/&lt;version&gt;/vantage-agent.jar   a verified release
 * versions/&lt;version&gt;/healthy             written by that version once the server welcomed it on trial
 * versions/current                          the version the launcher runs (absent: the launcher's own jar)
 * versions/trial                            a verified version to try next; the launcher promotes or drops it
 * versions/launch.properties                what the launcher tells the agent it starts (release, trial, rolled back)
 * </pre>
 * Pointer files are replaced atomically, so a crash leaves either the old or the new value.
 */
public final class Versions {
    /** Exit status of an agent that installed a trial version and wants the launcher to start it. */
    public static final int EXIT_SWITCH = 75;
    /** What a version may look like: safe as a directory name and a URL path segment. */
    public static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
    static final String JAR = "vantage-agent.jar";

    private final Path dir;

    public Versions(Path dataDir) {
        this.dir = dataDir.resolve("versions");
    }

    /** What the launcher tells the agent: the release it runs (null: the bundled jar), trial, and a rollback. */
    public record Launch(String release, boolean trial, String rolledBack, String reason) {
    }

    /** @throws IllegalArgumentException if {@code version} is not a {@link #VERSION} (never used as a path then) */
    public static String checkVersion(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("version '" + version + "' is not a release version");
        }
        return version;
    }

    public Path jar(String version) {
        return dir.resolve(checkVersion(version)).resolve(JAR);
    }

    Path healthyMarker(String version) {
        return dir.resolve(checkVersion(version)).resolve("healthy");
    }

    public Optional<String> current() throws IOException {
        return pointer("current");
    }

    public Optional<String> trial() throws IOException {
        return pointer("trial");
    }

    void setCurrent(String version) throws IOException {
        write("current", checkVersion(version));
    }

    /** Marks an installed version to be tried at the next start. */
    public void setTrial(String version) throws IOException {
        if (!Files.isRegularFile(jar(version))) {
            throw new IOException("version " + version + " is not installed");
        }
        write("trial", version);
    }

    void clearTrial() throws IOException {
        Files.deleteIfExists(dir.resolve("trial"));
    }

    boolean healthy(String version) {
        return Files.exists(healthyMarker(version));
    }

    /** Called by a trial version once the server welcomed it: the launcher keeps it. */
    public void markHealthy(String version) throws IOException {
        Files.writeString(healthyMarker(version), "");
    }

    /** Installs a verified artifact as {@code version} (replacing a copy of the same version). */
    public void install(String version, Path verified) throws IOException {
        Path target = jar(version);
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(healthyMarker(version));
        move(verified, target);
    }

    /**
     * Deletes every kept version but {@code keep} (nulls ignored), so that a long-lived agent holds two versions:
     * the one it runs and the one to go back to.
     */
    void prune(java.util.Set<String> keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && VERSION.matcher(name).matches() && !keep.contains(name)) {
                    try (var walk = Files.walk(p)) {
                        for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.delete(f);
                        }
                    }
                }
            }
        }
    }

    /** A file beside the versions to download into; on the same file system, so install is a move. */
    public Path download(String version) throws IOException {
        Files.createDirectories(dir);
        return dir.resolve(checkVersion(version) + ".download");
    }

    void writeLaunch(Launch l) throws IOException {
        Properties p = new Properties();
        if (l.release() != null) {
            p.setProperty("release", l.release());
        }
        p.setProperty("trial", Boolean.toString(l.trial()));
        if (l.rolledBack() != null) {
            p.setProperty("rolledBack", l.rolledBack());
            p.setProperty("reason", l.reason());
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve("launch.properties.tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "written by vantage-agent launch before each start");
        }
        move(tmp, dir.resolve("launch.properties"));
    }

    /** What the launcher said; empty when there is no note. */
    public Optional<Launch> readLaunch() throws IOException {
        Path f = dir.resolve("launch.properties");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        }
        return Optional.of(new Launch(p.getProperty("release"), Boolean.parseBoolean(p.getProperty("trial")),
                p.getProperty("rolledBack"), p.getProperty("reason")));
    }

    private Optional<String> pointer(String name) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        String v = Files.readString(f).strip();
        return v.isEmpty() ? Optional.empty() : Optional.of(checkVersion(v));
    }

    private void write(String name, String value) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, value);
        move(tmp, dir.resolve(name));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
