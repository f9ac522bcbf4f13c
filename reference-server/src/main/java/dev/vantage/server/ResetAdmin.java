package dev.vantage.server;

import dev.vantage.server.auth.Revocations;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import dev.vantage.server.errors.Message;
import dev.vantage.server.security.PasswordPolicy;
import dev.vantage.server.security.Passwords;
import dev.vantage.server.security.Secrets;
import dev.vantage.server.users.User;
import dev.vantage.server.users.UserStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;

/**
 * {@code java -jar vantage-server.jar reset-admin [username]}: the operator's way back in when no admin can sign in
 * (the start-up bootstrap only runs on an empty user table). Makes the user ({@code VANTAGE_ADMIN_USERNAME},
 * {@code admin} by default) an enabled admin with the password of {@code VANTAGE_ADMIN_PASSWORD}, or a generated one
 * printed once, and ends its sessions and API tokens. It opens the configured database directly: stop the server first when it runs on embedded H2.
 */
public final class ResetAdmin {
    private ResetAdmin() {
    }

    /** Runs the command with these arguments (after {@code reset-admin}); returns the process exit code. */
    public static int run(String[] args, ServerConfig config, PrintStream out) {
        if (args.length > 1) {
            out.println("usage: java -jar vantage-server.jar reset-admin [username]");
            return 2;
        }
        String username = User.normalize(args.length == 1 ? args[0] : config.adminUsername());
        String invalid = UserStore.invalidUsername(username);
        if (invalid != null) {
            out.println("vantage-server reset-admin: username " + invalid);
            return 2;
        }
        boolean generated = config.adminPassword().isEmpty();
        String password = generated ? Secrets.randomToken("").substring(0, 24) : config.adminPassword().value();
        Message weakness = PasswordPolicy.of(config.passwordBlocklist()).weakness(password);
        if (weakness != null) {
            out.println("vantage-server reset-admin: VANTAGE_ADMIN_PASSWORD " + weakness);
            return 2;
        }
        try (Database db = StoredSecrets.load(config).openDatabase(config, new SimpleMeterRegistry())) {
            UserStore users = new UserStore(db, Clock.systemUTC(), new Revocations());
            User user = users.restoreAdmin(username, new Passwords().hash(password));
            out.println("'" + user.username() + "' is now an enabled admin; its sessions and API tokens were ended.");
            if (generated) {
                out.println("Its new password, shown only this once: " + password);
            } else {
                out.println("Its password is the one in VANTAGE_ADMIN_PASSWORD.");
            }
        }
        return 0;
    }
}
