package dev.vantage.server.agents.releases;

import dev.vantage.server.db.Database;
import dev.vantage.server.db.Sql;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Agent releases in the database (migration V22: {@code agent_releases}, and the artifact in
 * {@code agent_release_chunks} rows of at most {@link #CHUNK} bytes), so every replica serves every release and a
 * download never holds a whole artifact in memory. An artifact arrives in parts, each at the offset where the
 * previous one ended; the last part completes it only if the whole matches its SHA-256.
 */
public final class ReleaseStore {
    /** Bytes per stored row. */
    static final int CHUNK = 1 << 20;

    private final Database db;
    private final Clock clock;

    public ReleaseStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** @throws ConflictException if the version exists */
    public Release create(String version, long size, String sha256, String signature, String uploadedBy) {
        return db.inTransaction(c -> {
            if (Sql.queryOne(c, "SELECT version FROM agent_releases WHERE version = ?", rs -> rs.getString(1), version)
                    .isPresent()) {
                throw new ConflictException(Message.of("release.exists", version));
            }
            Sql.update(c, "INSERT INTO agent_releases (version, size, sha256, signature, received, ready, uploaded_by,"
                    + " created_at) VALUES (?, ?, ?, ?, 0, FALSE, ?, ?)", version, size, sha256, signature, uploadedBy,
                    clock.instant());
            return Sql.queryOne(c, SELECT + " WHERE version = ?", ReleaseStore::map, version).orElseThrow();
        });
    }

    public Optional<Release> find(String version) {
        return db.queryOne(SELECT + " WHERE version = ?", ReleaseStore::map, version);
    }

    public List<Release> list() {
        return db.query(SELECT + " ORDER BY created_at DESC, version", ReleaseStore::map);
    }

    /**
     * Stores {@code data} at {@code offset} of the artifact.
     *
     * @throws NotFoundException     for an unknown version
     * @throws ConflictException     when {@code offset} is not where the stored part ends, or the release is complete
     * @throws InvalidInputException when the data goes past the size, or the completed artifact's SHA-256 differs
     *                               (the stored parts are then dropped, so the upload can start over)
     */
    public Release append(String version, long offset, byte[] data) {
        Release r = db.inTransaction(c -> {
            Release now = Sql.queryOne(c, SELECT + " WHERE version = ? FOR UPDATE", ReleaseStore::map, version)
                    .orElseThrow(() -> new NotFoundException("agent release"));
            if (now.ready()) {
                throw new ConflictException(Message.of("release.complete", version));
            }
            if (offset != now.received()) {
                throw new ConflictException(Message.of("release.offset", now.received()));
            }
            if (data.length == 0 || now.received() + data.length > now.size()) {
                throw new InvalidInputException(List.of(FieldError.of("body", "release.bodySize",
                        now.size() - now.received())));
            }
            int seq = Sql.queryOne(c, "SELECT COUNT(*) FROM agent_release_chunks WHERE version = ?",
                    rs -> rs.getInt(1), version).orElse(0);
            for (int from = 0; from < data.length; from += CHUNK) {
                Sql.update(c, "INSERT INTO agent_release_chunks (version, seq, data) VALUES (?, ?, ?)", version, seq++,
                        Arrays.copyOfRange(data, from, Math.min(data.length, from + CHUNK)));
            }
            Sql.update(c, "UPDATE agent_releases SET received = ? WHERE version = ?", now.received() + data.length,
                    version);
            return Sql.queryOne(c, SELECT + " WHERE version = ?", ReleaseStore::map, version).orElseThrow();
        });
        if (r.received() < r.size()) {
            return r;
        }
        String sha256 = digest(version);
        if (!sha256.equalsIgnoreCase(r.sha256())) {
            db.inTransaction(c -> {
                Sql.update(c, "DELETE FROM agent_release_chunks WHERE version = ?", version);
                return Sql.update(c, "UPDATE agent_releases SET received = 0 WHERE version = ?", version);
            });
            throw new InvalidInputException(List.of(FieldError.of("sha256", "release.sha256", sha256)));
        }
        db.update("UPDATE agent_releases SET ready = TRUE WHERE version = ?", version);
        return find(version).orElseThrow();
    }

    /** @return whether there was one */
    public boolean delete(String version) {
        return db.inTransaction(c -> {
            Sql.update(c, "DELETE FROM agent_release_chunks WHERE version = ?", version);
            return Sql.update(c, "DELETE FROM agent_releases WHERE version = ?", version) > 0;
        });
    }

    /** Writes the stored artifact to {@code out}, one row at a time. */
    public void copy(String version, OutputStream out) throws IOException {
        int rows = db.queryOne("SELECT COUNT(*) FROM agent_release_chunks WHERE version = ?", rs -> rs.getInt(1), version)
                .orElse(0);
        for (int seq = 0; seq < rows; seq++) {
            byte[] data = db.queryOne("SELECT data FROM agent_release_chunks WHERE version = ? AND seq = ?",
                    rs -> rs.getBytes(1), version, seq).orElseThrow();
            out.write(data);
        }
    }

    private String digest(String version) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            copy(version, new OutputStream() {
                @Override
                public void write(int b) {
                    sha.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    sha.update(b, off, len);
                }
            });
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String SELECT = "SELECT version, size, sha256, signature, received, ready, uploaded_by,"
            + " created_at FROM agent_releases";

    private static Release map(ResultSet rs) throws SQLException {
        return new Release(rs.getString("version"), rs.getLong("size"), rs.getString("sha256"),
                rs.getString("signature"), rs.getLong("received"), rs.getBoolean("ready"), rs.getString("uploaded_by"),
                Sql.instant(rs, "created_at"));
    }
}
