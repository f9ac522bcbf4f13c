package dev.vantage.server.security.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.json.JsonMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sealing of stored secrets and where its keys come from, with the JDK's real AES-GCM and real files. */
class SecretBoxTest {
    static final String KEY_A = "a:" + Base64.getEncoder().encodeToString(new byte[32]);
    static final String KEY_B = "b:" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    @Test
    void aSealedValueNamesItsKeyHidesThePlaintextAndOpensOnlyWhereItWasSealed() {
        SecretBox box = SecretBox.parse(KEY_A, "");
        String sealed = box.seal("hunter2-hunter2", "tasks/t1/params.password");
        assertThat(sealed).startsWith("v1:a:").doesNotContain("hunter2");
        assertThat(SecretBox.isSealed(sealed)).isTrue();
        assertThat(box.seal("hunter2-hunter2", "tasks/t1/params.password")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(box.open(sealed, "tasks/t1/params.password")).isEqualTo("hunter2-hunter2");

        assertThatThrownBy(() -> box.open(sealed, "tasks/t2/params.password"))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("tasks/t2/params.password").hasMessageContaining("copied from another row")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> box.open(sealed, "tasks/t1/params.token")).isInstanceOf(UnreadableSecretException.class);
    }

    @Test
    void anAlteredValueNeverOpensToSomethingElse() {
        SecretBox box = SecretBox.parse(KEY_A, "");
        String sealed = box.seal("the real token", "alert_channels/c/settings.secret");
        String body = sealed.substring("v1:a:".length());
        // 12 + 14 + 16 = 42 bytes: base64 without padding, every character carries data
        assertThat(body).hasSize(56);
        for (int i = 0; i < body.length(); i++) {
            char[] c = body.toCharArray();
            c[i] = c[i] == 'A' ? 'B' : 'A';
            String altered = "v1:a:" + new String(c);
            assertThatThrownBy(() -> box.open(altered, "alert_channels/c/settings.secret"))
                    .as("byte %d altered", i).isInstanceOf(UnreadableSecretException.class);
        }
        assertThatThrownBy(() -> box.open("v1:a:AAAA", "x")).isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("not a sealed value");
    }

    @Test
    void theCurrentKeySealsAndEveryKeyOpensWhatItSealed() {
        String old = SecretBox.parse(KEY_A, "").seal("value", "w");
        SecretBox both = SecretBox.parse(KEY_A + "," + KEY_B, "b");
        assertThat(both.open(old, "w")).isEqualTo("value");
        assertThat(both.seal("value", "w")).startsWith("v1:b:");
        assertThatThrownBy(() -> SecretBox.parse(KEY_B, "").open(old, "w")).isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("key 'a', which is not configured");
    }

    @Test
    void fieldsAreSealedOpenedAndResealedInPlaceAndPlaintextFromOlderVersionsIsRead() {
        SecretBox a = SecretBox.parse(KEY_A, "");
        ObjectNode settings = (ObjectNode) JsonMapping.parseStored("{\"url\":\"http://h/\",\"secret\":\"s1\",\"port\":25}");
        a.sealFields(settings, List.of("secret", "port", "missing"), "alert_channels/c/settings.");
        assertThat(settings.get("url").asText()).isEqualTo("http://h/");
        assertThat(settings.get("secret").asText()).startsWith("v1:a:");
        assertThat(settings.get("port").asText()).startsWith("v1:a:");
        assertThat(settings.has("missing")).isFalse();

        SecretBox b = SecretBox.parse(KEY_A + "," + KEY_B, "b");
        settings.put("legacy", "in the clear");
        assertThat(b.resealFields(settings, List.of("secret", "port", "legacy"), "alert_channels/c/settings.")).isEqualTo(3);
        assertThat(b.resealFields(settings, List.of("secret", "port", "legacy"), "alert_channels/c/settings.")).isZero();
        SecretBox onlyB = SecretBox.parse(KEY_B, "");
        onlyB.openFields(settings, List.of("secret", "port", "legacy"), "alert_channels/c/settings.");
        assertThat(settings.toString()).isEqualTo("{\"url\":\"http://h/\",\"secret\":\"s1\",\"port\":25,\"legacy\":\"in the clear\"}");
    }

    @Test
    void badKeyListsAreRefusedWithoutShowingAKey() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> SecretBox.parse("a:" + shortKey, "")).hasMessageContaining("32 bytes")
                .hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> SecretBox.parse("a:not base64!", "")).hasMessageContaining("not base64")
                .hasMessageNotContaining("not base64!");
        assertThatThrownBy(() -> SecretBox.parse(KEY_A + "," + KEY_A, "a")).hasMessageContaining("twice");
        assertThatThrownBy(() -> SecretBox.parse(KEY_A + "," + KEY_B, "")).hasMessageContaining("name the current one");
        assertThatThrownBy(() -> SecretBox.parse(KEY_A, "c")).hasMessageContaining("'c' is not among the keys");
        assertThatThrownBy(() -> SecretBox.parse("no-colon", "")).hasMessageContaining("<id>:<base64 key>");

        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> KeyRing.load(config(Map.of("VANTAGE_SECRETS_KEYS", "a:" + shortKey))));
        assertThat(e.getMessage()).startsWith("vantage.secrets.keys (VANTAGE_SECRETS_KEYS): ");
    }

    @Test
    void replicasMustShareConfiguredKeys() {
        // nothing connects here: the broker URI is only read
        assertThatThrownBy(() -> KeyRing.load(config(Map.of("VANTAGE_AMQP_URI", "amqp://127.0.0.1:5672"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VANTAGE_SECRETS_KEYS")
                .hasMessageContaining("several replicas");
        assertThat(KeyRing.load(config(Map.of("VANTAGE_AMQP_URI", "amqp://127.0.0.1:5672",
                "VANTAGE_SECRETS_KEYS", KEY_A + "," + KEY_B, "VANTAGE_SECRETS_KEY_ID", "b"))).currentKeyId()).isEqualTo("b");
        assertThatThrownBy(() -> KeyRing.load(config(Map.of("VANTAGE_SECRETS_KEY_ID", "b"))))
                .hasMessageContaining("VANTAGE_SECRETS_KEY_ID").hasMessageContaining("is empty");
    }

    @Test
    void theEmbeddedDefaultMakesAnOwnerOnlyKeyFileOnceAndRefusesOneOthersCanRead() throws Exception {
        Path dir = Files.createTempDirectory("vantage-keys");
        Path file = dir.resolve("data").resolve(KeyRing.FILE);
        ServerConfig config = config(Map.of("VANTAGE_DATA_DIR", dir.resolve("data").toString()));
        SecretBox first = KeyRing.load(config);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(first.currentKeyId()).matches("local-[0-9a-f]{8}");
        String sealed = first.seal("v", "w");
        assertThat(KeyRing.load(config).open(sealed, "w")).as("the same key on the next start").isEqualTo("v");
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(KeyRing.FILE);
        }

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> KeyRing.load(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600 " + file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));
        assertThatThrownBy(() -> KeyRing.load(config)).isInstanceOf(ConfigException.class);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        assertThat(KeyRing.load(config).open(sealed, "w")).isEqualTo("v");
    }

    private static ServerConfig config(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("VANTAGE_DATA_DIR", "target/unused-data-dir");
        return ServerConfig.load(all);
    }
}
