package dev.vantage.server.security.secrets;

import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.config.Setting;
import dev.vantage.server.security.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Where the keys of the {@link SecretBox} come from: {@code vantage.secrets.keys}, or else a key made on first start
 * and kept in {@code <data-dir>/secrets.key}, owner-only. Replicas (a broker is configured) must share configured
 * keys: each would otherwise make its own and not open what the others sealed.
 */
public final class KeyRing {
    /** The key file's name in the data directory. */
    public static final String FILE = "secrets.key";

    private KeyRing() {
    }

    /** @throws ConfigException naming the setting or file that is wrong (never a key) */
    public static SecretBox load(ServerConfig config) {
        ServerConfig.SecretKeys configured = config.secretKeys();
        if (!configured.keys().isEmpty()) {
            try {
                return SecretBox.parse(configured.keys().value(), configured.currentId());
            } catch (IllegalArgumentException e) {
                throw bad(Setting.SECRETS_KEYS, e.getMessage());
            }
        }
        if (!configured.currentId().isEmpty()) {
            throw bad(Setting.SECRETS_KEY_ID, "is set but " + Setting.SECRETS_KEYS.env() + " is empty");
        }
        if (config.amqp().enabled()) {
            throw bad(Setting.SECRETS_KEYS, "must be set when several replicas share the database ("
                    + Setting.AMQP_URI.env() + " is set): all of them need the same keys, e.g. main:$(openssl rand -base64 32)");
        }
        Path file = config.dataDir().resolve(FILE);
        try {
            return SecretBox.parse(read(file), "");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** The key file's text, made on first start with a new key; refused if other users may read or change it. */
    private static String read(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            Set<PosixFilePermission> open = permissions(file);
            open.retainAll(EnumSet.complementOf(EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
            if (!open.isEmpty()) {
                throw new ConfigException(file + " is open to other users (" + PosixFilePermissions.toString(permissions(file))
                        + "); it holds the key to every stored secret: make it owner-only (chmod 600 " + file + ")");
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ConfigException("cannot read or create " + file + " (" + Setting.DATA_DIR.env() + "): " + e.getMessage());
        }
    }

    /** Written whole to a temporary file that is owner-only from its creation, then moved into place. */
    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, FILE, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile(dir, FILE, ".tmp"); // not a POSIX file system: the directory's ACL applies
        }
        try {
            String id = "local-" + HexFormat.of().formatHex(Secrets.randomBytes(4));
            Files.writeString(tmp, SecretBox.newKey(id) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file);
        } catch (FileAlreadyExistsException e) {
            // another process made it first: use theirs
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return EnumSet.noneOf(PosixFilePermission.class);
        }
    }

    private static ConfigException bad(Setting s, String reason) {
        return new ConfigException(s.key() + " (" + s.env() + "): " + reason);
    }
}
