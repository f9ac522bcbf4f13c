package com.example.vantage.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeStatus;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * Proves that a third-party plugin is found by default discovery. The build runs this class twice, once on the
 * module path and once on the class path; each run checks it is in the mode its surefire execution asked for, so a
 * build that quietly loses one of the two modes fails.
 */
class DiscoveryTest {

    @Test
    void runsOnThePathItsSurefireExecutionAskedFor() {
        String expected = System.getProperty("vantage.expectModulePath");
        assertThat(expected).as("vantage.expectModulePath, set by each surefire execution in pom.xml")
                .isIn("true", "false");
        boolean modulePath = Boolean.parseBoolean(expected);

        assertThat(DiscoveryTest.class.getModule().getName())
                .isEqualTo(modulePath ? "com.example.vantage.embedding" : null);
        assertThat(ProbeEngine.class.getModule().getName()).isEqualTo(modulePath ? "dev.vantage.probe.engine" : null);
        // A named plugin module was resolved by service binding (nothing requires it) and found through `provides`.
        assertThat(exampleProviderClass().getModule().getName())
                .isEqualTo(modulePath ? "com.example.vantage.plugin" : null);
    }

    @Test
    void theEngineBringsNoJsonLibrary() {
        // the JSON forms live in probe-json, so an embedder that needs none does not inherit Jackson
        assertThatThrownBy(() -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void defaultDiscoveryInstallsTheExamplePlugin() {
        try (ProbeEngine engine = ProbeEngine.builder().build()) {
            assertThat(engine.descriptors()).containsKey("example-echo");
            assertThat(engine.descriptors().get("example-echo").parameter("token").orElseThrow().secret()).isTrue();
        }
    }

    @Test
    void readmeExampleProbesALoopbackEchoServer() throws Exception {
        try (LineServer server = LineServer.echo()) {
            var result = EmbeddingExample.probe(server.target());

            assertThat(result.status()).as(result.toString()).isEqualTo(ProbeStatus.SUCCESS);
            assertThat(result.phases()).containsKeys("dns", "connect", "exchange");
            assertThat(server.received()).containsExactly("hello");
        }
    }

    // The provider class as ServiceLoader sees it from here; on the module path this module must declare the use.
    private static Class<?> exampleProviderClass() {
        DiscoveryTest.class.getModule().addUses(ProbeProvider.class);
        return ServiceLoader.load(ProbeProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.type().equals("example-echo"))
                .findFirst().orElseThrow(() -> new AssertionError("ServiceLoader finds no example-echo provider"))
                .getClass();
    }
}
