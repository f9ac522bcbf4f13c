package dev.vantage.server.users;

import dev.vantage.server.errors.Message;
import dev.vantage.server.security.PasswordPolicy;
import dev.vantage.server.security.Passwords;
import dev.vantage.server.security.Role;
import dev.vantage.server.security.Secrets;
import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.Secret;
import java.io.PrintStream;

/**
 * Creates the admin account ({@code VANTAGE_ADMIN_USERNAME}, {@code admin} by default) on first start: with
 * {@code VANTAGE_ADMIN_PASSWORD} if set, else with a generated password printed once to standard output (not to the
 * log, which may be shipped elsewhere). The configured password obeys the same {@link PasswordPolicy} as any other.
 */
public final class AdminBootstrap {
    private AdminBootstrap() {
    }

    /** Returns true if the account was created now. */
    public static boolean ensureAdmin(UserStore users, Passwords passwords, PasswordPolicy policy, String username,
                                      Secret configured, PrintStream console) {
        if (!users.isEmpty()) {
            return false;
        }
        String invalid = UserStore.invalidUsername(User.normalize(username));
        if (invalid != null) {
            throw new ConfigException("vantage.admin.username (VANTAGE_ADMIN_USERNAME): " + invalid);
        }
        String password = configured.isEmpty() ? Secrets.randomToken("").substring(0, 24) : configured.value();
        Message weakness = policy.weakness(password);
        if (weakness != null) {
            throw new ConfigException("vantage.admin.password (VANTAGE_ADMIN_PASSWORD): " + weakness);
        }
        User admin = users.create(username, passwords.hash(password), Role.ADMIN);
        if (configured.isEmpty()) {
            console.println("""

                    ================================================================
                     Vantage created the user '%s' with this password:

                         %s

                     It is shown only this once. Sign in and change it.
                    ================================================================
                    """.formatted(admin.username(), password));
            console.flush();
        }
        return true;
    }
}
