package dev.vantage.agent.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseKeysTest {
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path dir;

    @Test
    void aSignatureVerifiesForItsVersionAndChecksumOnly() throws Exception {
        KeyPair pair = ReleaseKeys.generate();
        Files.writeString(dir.resolve("r.key"), ReleaseKeys.privatePem(pair.getPrivate()));
        Files.writeString(dir.resolve("r.pub"), ReleaseKeys.publicPem(pair.getPublic()));
        String sig = ReleaseKeys.sign(ReleaseKeys.readPrivate(dir.resolve("r.key")), "2.0.0", SHA);
        var pub = ReleaseKeys.readPublic(dir.resolve("r.pub"));

        assertThat(ReleaseKeys.verify(pub, "2.0.0", SHA, sig)).isTrue();
        assertThat(ReleaseKeys.verify(pub, "1.0.0", SHA, sig)).as("moved to another version").isFalse();
        assertThat(ReleaseKeys.verify(pub, "2.0.0", "cd".repeat(32), sig)).as("another artifact").isFalse();
        assertThat(ReleaseKeys.verify(ReleaseKeys.generate().getPublic(), "2.0.0", SHA, sig)).as("another key").isFalse();
        assertThat(ReleaseKeys.verify(pub, "2.0.0", SHA, "not base64!")).isFalse();
    }

    @Test
    void aKeyFileOfTheWrongKindIsNamed() throws Exception {
        Files.writeString(dir.resolve("x.pub"), "hello");
        assertThatThrownBy(() -> ReleaseKeys.readPublic(dir.resolve("x.pub")))
                .hasMessageContaining("x.pub holds no PEM 'PUBLIC KEY' block");
    }

    @Test
    void versionsAreSafeAsPathsAndUrls() {
        assertThat(Versions.checkVersion("2.0.0-rc.1+b7")).isEqualTo("2.0.0-rc.1+b7");
        for (String bad : new String[] {"../x", "a/b", "", ".hidden", "x".repeat(65), "a b"}) {
            assertThatThrownBy(() -> Versions.checkVersion(bad)).hasMessageContaining("is not a release version");
        }
        assertThat(Updater.releaseUri(URI.create("wss://h.example:8443/ws/agent"), "2.0.0"))
                .hasToString("https://h.example:8443/ws/agent/releases/2.0.0");
        assertThat(Updater.releaseUri(URI.create("ws://127.0.0.1:80/ws/agent/"), "2"))
                .hasToString("http://127.0.0.1:80/ws/agent/releases/2");
    }
}
