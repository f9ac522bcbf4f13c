package dev.vantage.agent.update;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher with real child JVMs: tiny jars standing in for agent versions (one never becomes healthy, one does,
 * one exits with a status), so each path runs in a second or two. AgentRolloutIT runs it with the real agent.
 */
class LauncherTest {
    @TempDir
    Path dir;

    @Test
    void aTrialThatIsNotHealthyInTimeIsStoppedAndThePreviousVersionStartsWithTheReason() throws Exception {
        Path data = dir.resolve("data");
        Versions versions = install(data, "2.0", Sleeps.class);
        Launcher launcher = launcher(data, Duration.ofSeconds(1), jar("own.jar", ExitsZero.class));

        assertThat(launcher.run()).isZero();

        Versions.Launch told = versions.readLaunch().orElseThrow();
        assertThat(told.release()).isNull(); // the bundled jar again
        assertThat(told.rolledBack()).isEqualTo("2.0");
        assertThat(told.reason()).isEqualTo("version 2.0 did not connect and report healthy within 1s");
        assertThat(versions.current()).isEmpty();
        assertThat(versions.trial()).as("tried once").isEmpty();
    }

    @Test
    void aTrialThatReportsHealthyBecomesCurrent() throws Exception {
        Path data = dir.resolve("data");
        Versions versions = install(data, "1.0", ExitsZero.class);
        versions.setCurrent("1.0");
        versions.install("0.9", jar("0.9.jar", ExitsZero.class)); // an older one, no longer needed
        install(data, "2.0", MarksHealthy.class);
        Launcher launcher = launcher(data, Duration.ofSeconds(30), jar("own.jar", ExitsZero.class));

        assertThat(launcher.run()).isZero();

        assertThat(versions.current()).hasValue("2.0");
        assertThat(versions.jar("1.0")).as("the way back").exists();
        assertThat(data.resolve("versions/0.9")).doesNotExist();
        assertThat(versions.readLaunch().orElseThrow()).isEqualTo(new Versions.Launch("2.0", true, null, null));
    }

    @Test
    void theAgentsExitStatusIsTheLaunchers() throws Exception {
        Launcher launcher = launcher(dir.resolve("data"), Duration.ofSeconds(30), jar("own.jar", ExitsThree.class));
        assertThat(launcher.run()).isEqualTo(3);
    }

    private Launcher launcher(Path data, Duration timeout, Path ownJar) {
        return new Launcher(new Launcher.Settings(data, timeout, List.of(), List.of("-Xmx32m", "-XX:TieredStopAtLevel=1"),
                ownJar));
    }

    private Versions install(Path data, String version, Class<?> main) throws Exception {
        Versions versions = new Versions(data);
        versions.install(version, jar(version + ".jar", main));
        versions.setTrial(version);
        return versions;
    }

    /** A jar holding {@code main} (a nested class of this test, with no other dependency) as its Main-Class. */
    private Path jar(String name, Class<?> main) throws Exception {
        Path jar = dir.resolve(name);
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
        String entry = main.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, mf);
             InputStream in = main.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    /** Never connects: sleeps until the launcher stops it (bounded, should it not). */
    public static final class Sleeps {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(60_000);
        }
    }

    /** Does what a welcomed trial version does: writes its healthy marker, then ends. */
    public static final class MarksHealthy {
        public static void main(String[] args) throws java.io.IOException {
            Path data = Path.of(args[List.of(args).indexOf("--data-dir") + 1]);
            Properties launch = new Properties();
            try (InputStream in = Files.newInputStream(data.resolve("versions/launch.properties"))) {
                launch.load(in);
            }
            Files.writeString(data.resolve("versions").resolve(launch.getProperty("release")).resolve("healthy"), "");
        }
    }

    public static final class ExitsZero {
        public static void main(String[] args) {
            System.exit(0);
        }
    }

    public static final class ExitsThree {
        public static void main(String[] args) {
            System.exit(3);
        }
    }
}
