package dev.vantage.server.secrets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** {@link SecretsAtRestContract} on the embedded default: H2, and the key the server made in its data directory. */
class SecretsAtRestTest extends SecretsAtRestContract {
    @TempDir
    Path dir;

    @Override
    Map<String, String> backend() {
        return Map.of("VANTAGE_DATA_DIR", dir.toString());
    }

    @Override
    String defaultKeyId(Map<String, String> env) {
        try {
            String line = Files.readString(Path.of(env.get("VANTAGE_DATA_DIR")).resolve("secrets.key"));
            return line.substring(0, line.indexOf(':'));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
