package dev.vantage.probe.engine;

import dev.vantage.probe.spi.ProbeProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A probe plugin installed as a jar file in a plugins directory, loaded in a class loader of its own whose parent is
 * the SPI's: it sees the plugin contract and what the host application shares there, never another plugin jar, and
 * two plugin jars may carry different versions of one library. The jar names its providers in
 * {@code META-INF/services/dev.vantage.probe.spi.ProbeProvider}; add it to an engine with
 * {@link ProbeEngine.Builder#addPluginJar(PluginJar)}.
 *
 * <pre>{@code
 * List<PluginJar> jars = PluginJar.loadDirectory(Path.of("plugins"));
 * ProbeEngine.Builder b = ProbeEngine.builder();
 * jars.forEach(b::addPluginJar);
 * }</pre>
 *
 * <p>Immutable and thread-safe. The class loader stays open for the life of the process: classes of a running
 * probe must stay loadable.
 */
public final class PluginJar {
    private static final String SERVICES = "META-INF/services/" + ProbeProvider.class.getName();

    private final Path path;
    private final String name;
    private final String version;
    private final String sha256;
    private final List<String> types;
    private final URLClassLoader loader;

    private PluginJar(Path path, String name, String version, String sha256, List<String> types, URLClassLoader loader) {
        this.path = path;
        this.name = name;
        this.version = version;
        this.sha256 = sha256;
        this.types = List.copyOf(types);
        this.loader = loader;
    }

    /**
     * Loads every {@code *.jar} directly in {@code directory}, in file name order; a missing directory holds none.
     *
     * @throws IllegalArgumentException naming the file, if one is not a readable jar or provides no probe type
     */
    public static List<PluginJar> loadDirectory(Path directory) {
        Objects.requireNonNull(directory, "directory");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(directory)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugins directory " + directory + ": " + e.getMessage(), e);
        }
        List<PluginJar> jars = new ArrayList<>();
        for (Path f : files) {
            jars.add(load(f));
        }
        return List.copyOf(jars);
    }

    /**
     * Loads one plugin jar.
     *
     * @throws IllegalArgumentException naming the file, if it is not a readable jar or provides no probe type
     */
    public static PluginJar load(Path jar) {
        Path file = jar.toAbsolutePath().normalize();
        String name;
        String version;
        try (JarFile jf = new JarFile(file.toFile())) {
            if (jf.getEntry(SERVICES) == null) {
                throw new IllegalArgumentException(jar + ": not a probe plugin (no " + SERVICES + ")");
            }
            Properties pom = pomProperties(jf);
            Attributes main = jf.getManifest() == null ? new Attributes() : jf.getManifest().getMainAttributes();
            name = first(main.getValue(Attributes.Name.IMPLEMENTATION_TITLE), pom.getProperty("artifactId"),
                    file.getFileName().toString().replaceFirst("\\.jar$", ""));
            version = first(main.getValue(Attributes.Name.IMPLEMENTATION_VERSION), pom.getProperty("version"), "unknown");
        } catch (IOException e) {
            throw new IllegalArgumentException(jar + ": not a readable jar (" + e.getMessage() + ")", e);
        }
        URLClassLoader loader;
        try {
            loader = new URLClassLoader("plugin " + file.getFileName(), new URL[] {file.toUri().toURL()},
                    ProbeProvider.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(jar + ": " + e.getMessage(), e);
        }
        String sha256 = sha256(file);
        List<String> types;
        try {
            types = providers(loader).stream().map(ProbeProvider::type).toList();
        } catch (RuntimeException | LinkageError e) {
            close(loader);
            throw new IllegalArgumentException(jar + ": its providers cannot be loaded (" + e + ")", e);
        }
        if (types.isEmpty()) {
            close(loader);
            throw new IllegalArgumentException(jar + ": " + SERVICES + " names no provider in this jar");
        }
        return new PluginJar(file, name, version, sha256, types, loader);
    }

    /** New instances of the jar's providers (each engine gets its own, as with discovery). */
    public List<ProbeProvider> newProviders() {
        return providers(loader);
    }

    private static List<ProbeProvider> providers(URLClassLoader loader) {
        // the parent's providers are visible through this loader too: keep only the jar's own
        return ServiceLoader.load(ProbeProvider.class, loader).stream()
                .filter(p -> p.type().getClassLoader() == loader)
                .map(ServiceLoader.Provider::get)
                .toList();
    }

    /** The jar file, absolute. */
    public Path path() {
        return path;
    }

    /** {@code Implementation-Title} of its manifest, else the Maven artifact id, else the file name. */
    public String name() {
        return name;
    }

    /** {@code Implementation-Version} of its manifest, else the Maven version, else {@code unknown}. */
    public String version() {
        return version;
    }

    /** The SHA-256 of the file, in lower-case hex: what an operator compares with the published checksum. */
    public String sha256() {
        return sha256;
    }

    /** The probe types it provides. */
    public List<String> types() {
        return types;
    }

    @Override
    public String toString() {
        return path.getFileName() + " (" + name + " " + version + ", sha256 " + sha256 + ", types " + types + ")";
    }

    private static Properties pomProperties(JarFile jf) throws IOException {
        Properties p = new Properties();
        for (JarEntry e : (Iterable<JarEntry>) jf.stream()::iterator) {
            if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
                try (InputStream in = jf.getInputStream(e)) {
                    p.load(in);
                }
                break;
            }
        }
        return p;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        throw new IllegalStateException("no value");
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65_536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            // only releasing the file; the jar was refused anyway
        }
    }
}
