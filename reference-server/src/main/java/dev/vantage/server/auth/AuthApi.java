package dev.vantage.server.auth;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.errors.RateLimitedException;
import dev.vantage.server.security.PasswordPolicy;
import dev.vantage.server.security.Passwords;
import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Routes;
import dev.vantage.server.users.User;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/v1/auth}: login, refresh, logout, password change, and who am I. */
public final class AuthApi implements ApiModule {
    private static final Logger LOG = LoggerFactory.getLogger(AuthApi.class);

    private final Accounts users;
    private final Passwords passwords;
    private final PasswordPolicy policy;
    private final Sessions sessions;
    private final LoginThrottle throttle;

    public AuthApi(Accounts users, Passwords passwords, PasswordPolicy policy, Sessions sessions, LoginThrottle throttle) {
        this.users = users;
        this.passwords = passwords;
        this.policy = policy;
        this.sessions = sessions;
        this.throttle = throttle;
    }

    @Override
    public void routes(Routes routes) {
        routes.signIn(Method.POST, "/api/v1/auth/login", this::login)
                .signIn(Method.POST, "/api/v1/auth/refresh", this::refresh)
                .post("/api/v1/auth/logout", Role.VIEWER, this::logout)
                .post("/api/v1/auth/password", Role.VIEWER, this::changePassword)
                .get("/api/v1/auth/sessions", Role.VIEWER, this::listSessions)
                .post("/api/v1/auth/sessions/end", Role.VIEWER, this::endSessions)
                .get("/api/v1/auth/me", Role.VIEWER, this::me);
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(Json.readObject(req), "username", "password");
        String username = in.requiredString("username", 256);
        String password = in.requiredString("password", Passwords.MAX_INPUT_LENGTH);
        in.check();
        String account = User.normalize(username);
        String address = clientAddress(req);
        long wait = throttle.retryAfterSeconds(account, address);
        if (wait > 0) {
            throw new RateLimitedException(Message.of("auth.tooManyLogins", wait), wait);
        }
        Optional<User> user = users.findByUsername(account);
        // the same work and the same answer whether the user is unknown, disabled or the password wrong
        boolean ok = user.map(u -> passwords.verify(password, u.passwordHash())).orElseGet(() -> passwords.verifyDecoy(password));
        if (!ok || user.get().disabled()) {
            throttle.failure(account, address);
            // for whoever watches for guessing; an unknown name is not repeated (it may be a password typed there)
            LOG.info("login refused for {} from {}", user.isPresent() ? "account '" + account + "'" : "an unknown account",
                    address);
            throw new NotAuthenticatedException(Message.of("auth.wrongLogin"));
        }
        throttle.success(account, address);
        Sessions.TokenPair pair = sessions.start(user.get().id());
        // a password set before the policy, or one on a list updated since, still signs in, but must be changed
        Json.send(res, policy.weakness(password) == null ? pair : pair.requiringPasswordChange());
    }

    private void refresh(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(Json.readObject(req), "refreshToken");
        String token = in.requiredString("refreshToken", 4096);
        in.check();
        Json.send(res, sessions.refresh(token));
    }

    private void logout(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        if (!p.viaSession()) {
            throw new InvalidInputException(Message.of("auth.tokenNoSession"));
        }
        sessions.revoke(p.sessionId());
        res.status(Status.NO_CONTENT_204).send();
    }

    /** Changes the caller's password; every earlier session and API token of the caller stops working. */
    private void changePassword(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        if (!p.viaSession()) {
            throw new ForbiddenException(Message.of("auth.passwordNeedsSession"));
        }
        JsonInput in = JsonInput.of(Json.readObject(req), "currentPassword", "newPassword");
        String current = in.requiredString("currentPassword", Passwords.MAX_INPUT_LENGTH);
        String next = in.requiredString("newPassword", Passwords.MAX_INPUT_LENGTH);
        Message weakness = next == null ? null : policy.weakness(next);
        if (weakness != null) {
            in.error("newPassword", weakness);
        }
        in.check();
        User user = checkCurrentPassword(req, p, current);
        users.changePassword(user.id(), passwords.hash(next));
        Json.send(res, sessions.start(user.id()));
    }

    /** The caller's live login sessions (ASVS 3.3.4). */
    private void listSessions(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        Json.send(res, Map.of("items", sessions.liveOf(p.userId(), p.sessionId())));
    }

    /**
     * Ends one of the caller's sessions ({@code id}), or every one but the current one, once the caller has typed the
     * password again (ASVS 3.3.4): a stolen access token alone cannot sign the real user out everywhere.
     */
    private void endSessions(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        if (!p.viaSession()) {
            throw new ForbiddenException(Message.of("auth.sessionsNeedSession"));
        }
        JsonInput in = JsonInput.of(Json.readObject(req), "currentPassword", "id");
        String current = in.requiredString("currentPassword", Passwords.MAX_INPUT_LENGTH);
        String id = in.optionalString("id", 64);
        in.check();
        checkCurrentPassword(req, p, current);
        Json.send(res, Map.of("ended", sessions.revokeOf(p.userId(), id, p.sessionId())));
    }

    /** The caller's account, once {@code current} proved to be its password; throttled like logins. */
    private User checkCurrentPassword(ServerRequest req, Principal p, String current) {
        String address = clientAddress(req);
        long wait = throttle.retryAfterSeconds(p.username(), address);
        if (wait > 0) {
            throw new RateLimitedException(Message.of("auth.tooManyPasswords", wait), wait);
        }
        User user = users.find(p.userId()).orElseThrow(NotAuthenticatedException::new);
        if (!passwords.verify(current, user.passwordHash())) {
            throttle.failure(p.username(), address);
            throw new ForbiddenException(Message.of("auth.currentPassword"));
        }
        return user;
    }

    private void me(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        Json.send(res, new Me(p.userId(), p.username(), p.role(), p.viaSession() ? "session" : "api-token"));
    }

    private record Me(String id, String username, Role role, String via) {
    }

    static String clientAddress(ServerRequest req) {
        return Routes.clientAddress(req);
    }
}
