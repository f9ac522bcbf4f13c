package dev.vantage.server.users;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.security.PasswordPolicy;
import dev.vantage.server.security.Passwords;
import dev.vantage.server.security.Role;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.Map;

/** {@code /api/v1/users}: admins manage accounts. */
public final class UsersApi implements ApiModule {
    private final UserStore users;
    private final Passwords passwords;
    private final PasswordPolicy policy;

    public UsersApi(UserStore users, Passwords passwords, PasswordPolicy policy) {
        this.users = users;
        this.passwords = passwords;
        this.policy = policy;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/users", Role.ADMIN, this::list)
                .post("/api/v1/users", Role.ADMIN, this::create)
                .get("/api/v1/users/{id}", Role.ADMIN, this::read)
                .patch("/api/v1/users/{id}", Role.ADMIN, this::update)
                .delete("/api/v1/users/{id}", Role.ADMIN, this::delete)
                .describe("users", id -> users.find(id).map(UserView::of));
    }

    /** A user as the API shows it: never the password hash. */
    record UserView(String id, String username, Role role, boolean disabled, Instant createdAt) {
        static UserView of(User u) {
            return new UserView(u.id(), u.username(), u.role(), u.disabled(), u.createdAt());
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        Json.send(res, Map.of("items", users.list().stream().map(UserView::of).toList()));
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(Json.readObject(req), "username", "password", "role");
        String username = User.normalize(in.requiredString("username", 64));
        String password = in.requiredString("password", Passwords.MAX_INPUT_LENGTH);
        Role role = in.optionalEnum("role", Role.class);
        if (username != null && UserStore.invalidUsername(username) != null) {
            in.error("username", Message.of("user.username"));
        }
        checkPassword(in, "password", password);
        in.check();
        User user = users.create(username, passwords.hash(password), role == null ? Role.VIEWER : role);
        res.header(HeaderNames.LOCATION, "/api/v1/users/" + user.id());
        Json.send(res, Status.CREATED_201, UserView.of(user));
    }

    private void read(ServerRequest req, ServerResponse res) {
        Json.send(res, UserView.of(users.find(id(req)).orElseThrow(() -> new NotFoundException("user"))));
    }

    /** Changes role, disabled or password; any of them revokes the user's sessions and API tokens. */
    private void update(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(Json.readObject(req), "role", "disabled", "password");
        Role role = in.optionalEnum("role", Role.class);
        Boolean disabled = in.optionalBoolean("disabled");
        String password = in.optionalString("password", Passwords.MAX_INPUT_LENGTH);
        checkPassword(in, "password", password);
        in.check();
        String hash = password == null ? null : passwords.hash(password);
        Json.send(res, UserView.of(users.update(id(req), new UserStore.Change(role, disabled, hash))));
    }

    private void checkPassword(JsonInput in, String field, String password) {
        Message weakness = password == null ? null : policy.weakness(password);
        if (weakness != null) {
            in.error(field, weakness);
        }
    }

    private void delete(ServerRequest req, ServerResponse res) {
        users.delete(id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
