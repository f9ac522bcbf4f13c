package dev.vantage.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An enrolled agent's identity: its id and the secret credential the server issued once. Kept in
 * {@code <data-dir>/agent.json}, readable by the owner only. {@link #toString()} never shows the secret.
 */
public record AgentCredential(String agentId, String secret) {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCredential.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The file in the data directory. */
    public static final String FILE = "agent.json";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    public AgentCredential {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(secret, "secret");
        if (agentId.isBlank() || agentId.contains(".") || secret.isBlank()) {
            // the bearer token is "<agentId>.<secret>": a dot in the id would make it ambiguous
            throw new IllegalArgumentException("agentId must be non-blank without '.', and the secret non-blank");
        }
    }

    /** The WebSocket {@code Authorization} header value. */
    public String authorization() {
        return "Bearer " + agentId + "." + secret;
    }

    @Override
    public String toString() {
        return "AgentCredential[agentId=" + agentId + ", secret=***]";
    }

    /** The credential stored in {@code dataDir}, if the agent enrolled before. */
    public static Optional<AgentCredential> load(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        if (isPosix(file) && !OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
            LOG.warn("{} is readable by others than its owner: chmod 600 it", file);
        }
        JsonNode n = JSON.readTree(file.toFile());
        if (n == null || !n.path("agentId").isTextual() || !n.path("credential").isTextual()) {
            throw new IOException(file + " must hold {\"agentId\": ..., \"credential\": ...}");
        }
        return Optional.of(new AgentCredential(n.get("agentId").textValue(), n.get("credential").textValue()));
    }

    /**
     * Writes {@code dataDir/agent.json}: to a temporary file created with owner-only permissions (so the secret is
     * never readable by others, not even briefly), forced to disk, then renamed into place.
     */
    public void save(Path dataDir) throws IOException {
        createOwnerOnlyDirectories(dataDir);
        String text = JSON.createObjectNode().put("agentId", agentId).put("credential", secret).toPrettyString();
        boolean posix = isPosix(dataDir);
        Path temp = dataDir.resolve(FILE + ".tmp");
        Files.deleteIfExists(temp);
        FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(temp, dataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Creates the data directory readable by its owner only (it holds the credential). */
    public static void createOwnerOnlyDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (isPosix(parent == null ? dir : parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // created meanwhile by someone else: fine
        }
    }

    private static boolean isPosix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
