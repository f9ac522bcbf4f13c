package dev.vantage.server.users;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.security.Role;
import dev.vantage.server.db.Database;
import dev.vantage.server.db.DatabaseException;
import dev.vantage.server.db.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** User accounts. Usernames are lower case; the last enabled admin can be neither demoted, disabled nor deleted. */
public final class UserStore {
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
    private static final String SELECT = "SELECT id, username, role, token_version, created_at, disabled, password_hash FROM users";

    /** What an admin may change; {@code null} fields stay as they are. */
    public record Change(Role role, Boolean disabled, String passwordHash) {
    }

    private final Database db;
    private final Clock clock;
    private final CredentialRevoker revoker;

    public UserStore(Database db, Clock clock, CredentialRevoker revoker) {
        this.db = db;
        this.clock = clock;
        this.revoker = revoker;
    }

    /** Why {@code username} (already normalized) cannot be used, or {@code null} if it can. */
    public static String invalidUsername(String username) {
        return username != null && USERNAME.matcher(username).matches() ? null
                : "must be 1 to 64 characters of a-z 0-9 . _ @ -, starting with a letter or digit";
    }

    public Optional<User> find(String id) {
        return db.queryOne(SELECT + " WHERE id = ?", UserStore::map, id);
    }

    public Optional<User> findByUsername(String username) {
        return db.queryOne(SELECT + " WHERE username = ?", UserStore::map, User.normalize(username));
    }

    public List<User> list() {
        return db.query(SELECT + " ORDER BY username", UserStore::map);
    }

    public boolean isEmpty() {
        return db.queryOne("SELECT COUNT(*) FROM users", rs -> rs.getLong(1)).orElse(0L) == 0;
    }

    /** @throws ConflictException if the username is taken */
    public User create(String username, String passwordHash, Role role) {
        String id = UUID.randomUUID().toString();
        try {
            db.update("INSERT INTO users (id, username, password_hash, role, token_version, created_at, disabled) VALUES (?, ?, ?, ?, 0, ?, FALSE)",
                    id, User.normalize(username), passwordHash, role, clock.instant());
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw new ConflictException(Message.of("user.taken", User.normalize(username)));
            }
            throw e;
        }
        return find(id).orElseThrow();
    }

    /**
     * Applies an admin's change. A new role, disabling or a new password revokes every session and API token of
     * the user, so the change takes effect at once.
     *
     * @throws NotFoundException for an unknown user; ConflictException if it would leave no enabled admin
     */
    public User update(String id, Change change) {
        return db.inTransaction(c -> {
            lockEnabledAdmins(c);
            User user = lockedUser(c, id);
            Role role = change.role() == null ? user.role() : change.role();
            boolean disabled = change.disabled() == null ? user.disabled() : change.disabled();
            if (user.role() == Role.ADMIN && !user.disabled() && (role != Role.ADMIN || disabled)) {
                requireAnotherAdmin(c, id);
            }
            boolean revoke = role != user.role() || (disabled && !user.disabled()) || change.passwordHash() != null;
            Sql.update(c, "UPDATE users SET role = ?, disabled = ?, password_hash = ? WHERE id = ?", role, disabled,
                    change.passwordHash() == null ? user.passwordHash() : change.passwordHash(), id);
            if (revoke) {
                // the token version ends access JWTs already issued; the revoker ends sessions and API tokens
                Sql.update(c, "UPDATE users SET token_version = token_version + 1 WHERE id = ?", id);
                revoker.revokeAllOf(c, id, clock.instant());
            }
            return Sql.queryOne(c, SELECT + " WHERE id = ?", UserStore::map, id).orElseThrow();
        });
    }

    /**
     * The operator's way back in ({@code reset-admin}): makes {@code username} an enabled admin with this password,
     * creating it if needed, and ends its sessions and API tokens. Returns the user.
     */
    public User restoreAdmin(String username, String passwordHash) {
        return db.inTransaction(c -> {
            String name = User.normalize(username);
            Optional<User> existing = Sql.queryOne(c, SELECT + " WHERE username = ? FOR UPDATE", UserStore::map, name);
            String id = existing.map(User::id).orElseGet(() -> UUID.randomUUID().toString());
            if (existing.isEmpty()) {
                Sql.update(c, "INSERT INTO users (id, username, password_hash, role, token_version, created_at, disabled) VALUES (?, ?, ?, ?, 0, ?, FALSE)",
                        id, name, passwordHash, Role.ADMIN, clock.instant());
            } else {
                Sql.update(c, "UPDATE users SET role = ?, disabled = FALSE, password_hash = ?, token_version = token_version + 1 WHERE id = ?",
                        Role.ADMIN, passwordHash, id);
                revoker.revokeAllOf(c, id, clock.instant());
            }
            return Sql.queryOne(c, SELECT + " WHERE id = ?", UserStore::map, id).orElseThrow();
        });
    }

    /** @throws NotFoundException for an unknown user; ConflictException for the last enabled admin */
    public void delete(String id) {
        db.inTransaction(c -> {
            lockEnabledAdmins(c);
            User user = lockedUser(c, id);
            if (user.role() == Role.ADMIN && !user.disabled()) {
                requireAnotherAdmin(c, id);
            }
            Sql.update(c, "DELETE FROM users WHERE id = ?", id); // sessions and API tokens go with it (cascade)
            return null;
        });
    }

    /**
     * Locks every enabled admin, always in the same order, before anything else: two admins demoting, disabling or
     * deleting each other at once then take turns, and the second sees the first's change when it counts the admins
     * left (locking only the target would let both count the other and both succeed).
     */
    private static void lockEnabledAdmins(Connection c) throws SQLException {
        Sql.query(c, "SELECT id FROM users WHERE role = 'admin' AND disabled = FALSE ORDER BY id FOR UPDATE",
                rs -> rs.getString(1));
    }

    private static User lockedUser(Connection c, String id) throws SQLException {
        return Sql.queryOne(c, SELECT + " WHERE id = ? FOR UPDATE", UserStore::map, id)
                .orElseThrow(() -> new NotFoundException("user"));
    }

    private static void requireAnotherAdmin(Connection c, String id) throws SQLException {
        long others = Sql.queryOne(c, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = FALSE AND id <> ?",
                rs -> rs.getLong(1), id).orElse(0L);
        if (others == 0) {
            throw new ConflictException(Message.of("user.lastAdmin"));
        }
    }

    static User map(ResultSet rs) throws SQLException {
        return new User(rs.getString("id"), rs.getString("username"), Role.parse(rs.getString("role")),
                rs.getInt("token_version"), Sql.instant(rs, "created_at"), rs.getBoolean("disabled"),
                rs.getString("password_hash"));
    }
}
