package com.example.vantage.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the README's embedding example identical to the code this module compiles and tests. */
class ReadmeExampleTest {
    private static final String BEGIN = "// README:begin\n";
    private static final String END = "// README:end";
    private static final Path BASEDIR = Path.of(System.getProperty("basedir", ""));

    @Test
    void readmeShowsTheEmbeddingExampleVerbatim() throws IOException {
        String source = read(BASEDIR.resolve("src/main/java/com/example/vantage/embedding/EmbeddingExample.java"));
        int begin = source.indexOf(BEGIN);
        int end = source.indexOf(END);
        assertThat(begin).as("README:begin marker").isNotNegative();
        assertThat(end).as("README:end marker after README:begin").isGreaterThan(begin);
        String snippet = source.substring(begin + BEGIN.length(), end);

        assertThat(read(BASEDIR.resolve("../../README.md")))
                .as("README.md must show EmbeddingExample.java between its README markers as a java block")
                .contains("```java\n" + snippet + "```\n");
    }

    // Line endings depend on the checkout, not on the text.
    private static String read(Path file) throws IOException {
        return Files.readString(file).replace("\r\n", "\n");
    }
}
