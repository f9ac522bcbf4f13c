package dev.vantage.probe.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a real third-party plugin jar in a test: the {@value #TYPE} probe type, compiled from source against the SPI
 * on the test's class path, with its {@code META-INF/services} entry and a manifest naming it, as a plugin author
 * would ship it. Its probe touches no network: it answers {@code SUCCESS} with the attribute
 * {@code greeting = "<salutation> <target>"}. It has a secret parameter {@code password}, which it never shows.
 */
public final class TestPluginJar {
    /** The probe type the jar provides. */
    public static final String TYPE = "greeting";
    /** Its {@code Implementation-Title}. */
    public static final String NAME = "greeting-plugin";

    private static final String PROVIDER = """
            package com.example.greeting;

            import dev.vantage.probe.spi.*;
            import java.util.concurrent.CompletableFuture;

            public final class GreetingProvider implements ProbeProvider {
                private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder("greeting")
                        .displayName("Greeting (test plugin)")
                        .description("Answers with a greeting; touches no network.")
                        .targetDescription("any name")
                        .parameter(ParameterSpec.builder("salutation", ParameterType.STRING).defaultValue("hello")
                                .max(64).description("The word to greet with.").build())
                        .parameter(ParameterSpec.builder("password", ParameterType.STRING).secret(true)
                                .max(256).description("A secret the probe never shows.").build())
                        .build();

                @Override public String type() { return "greeting"; }

                @Override public ProbeDescriptor describe() { return DESCRIPTOR; }

                @Override public Probe create(ProbeConfig config) {
                    String text = config.string("salutation") + " " + config.target();
                    return ctx -> CompletableFuture.completedFuture(
                            ctx.newResult().attribute("greeting", text).durationNanos(1_000).build());
                }
            }
            """;

    private TestPluginJar() {
    }

    /**
     * Writes the jar as {@code directory/fileName} (creating the directory) with {@code Implementation-Version:
     * version}, and returns its path.
     *
     * @throws IllegalStateException if no compiler is available (a JRE instead of a JDK) or compiling fails
     */
    public static Path write(Path directory, String fileName, String version) throws IOException {
        Path work = Files.createTempDirectory("test-plugin");
        Path src = work.resolve("src/com/example/greeting/GreetingProvider.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, PROVIDER);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler: run the tests on a JDK");
        }
        // the SPI is on the test's class path, or on its module path when the tests run as a module
        String classPath = String.join(java.io.File.pathSeparator, Stream.of("java.class.path", "jdk.module.path")
                .map(System::getProperty).filter(p -> p != null && !p.isEmpty()).toList());
        StringWriter errors = new StringWriter();
        boolean ok = javac.getTask(errors, null, null,
                List.of("--release", "21", "-classpath", classPath, "-d", classes.toString()), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src.toFile())).call();
        if (!ok) {
            throw new IllegalStateException("the test plugin does not compile:\n" + errors);
        }
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.IMPLEMENTATION_TITLE, NAME);
        main.put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        Files.createDirectories(directory);
        Path jar = directory.resolve(fileName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.walk(classes)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
            for (Path f : files) {
                put(out, classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
            }
            put(out, "META-INF/services/dev.vantage.probe.spi.ProbeProvider",
                    "com.example.greeting.GreetingProvider\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return jar;
    }

    private static void put(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
