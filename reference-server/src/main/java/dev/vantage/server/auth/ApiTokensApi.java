package dev.vantage.server.auth;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.security.Principal;
import dev.vantage.server.security.Role;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** {@code /api/v1/tokens}: API tokens. Everyone manages their own; an admin sees and revokes anyone's. */
public final class ApiTokensApi implements ApiModule {
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    static final Duration MAX_LIFETIME = Duration.ofDays(366);

    private final ApiTokens tokens;

    public ApiTokensApi(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/tokens", Role.VIEWER, this::create)
                .get("/api/v1/tokens", Role.VIEWER, this::list)
                .delete("/api/v1/tokens/{id}", Role.VIEWER, this::revoke)
                .describe("tokens", tokens::find);
    }

    /** The answer to a create: the token's fields plus its secret, which is shown only here. */
    private record CreatedView(String id, String name, Role role, Instant createdAt, Instant expiresAt, String token) {
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        if (!p.viaSession()) {
            throw new ForbiddenException(Message.of("auth.tokenNeedsSession"));
        }
        JsonInput in = JsonInput.of(Json.readObject(req), "name", "role", "expiresIn");
        String name = in.requiredString("name", 128);
        if (name != null && name.isBlank()) {
            in.error("name", Message.of("text.notBlank"));
        }
        Role role = in.optionalEnum("role", Role.class);
        Duration lifetime = in.duration("expiresIn", in.optionalString("expiresIn", 32));
        if (lifetime != null && (lifetime.compareTo(Duration.ofMinutes(1)) < 0 || lifetime.compareTo(MAX_LIFETIME) > 0)) {
            in.error("expiresIn", Message.of("token.expiresIn"));
        }
        in.check();
        role = role == null ? p.role() : role;
        if (!p.role().includes(role)) {
            throw new ForbiddenException(Message.of("auth.tokenRights", p.role().id()));
        }
        ApiTokens.Created created = tokens.create(p.userId(), name.strip(), role, lifetime == null ? DEFAULT_LIFETIME : lifetime);
        ApiTokens.ApiToken t = created.token();
        res.header(HeaderNames.LOCATION, "/api/v1/tokens/" + t.id());
        Json.send(res, Status.CREATED_201, new CreatedView(t.id(), t.name(), t.role(), t.createdAt(), t.expiresAt(), created.secret()));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        Json.send(res, Map.of("items", tokens.list(p.role() == Role.ADMIN ? null : p.userId())));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        Principal p = Routes.principal(req);
        String id = req.path().pathParameters().get("id");
        ApiTokens.ApiToken t = tokens.find(id)
                .filter(found -> p.role() == Role.ADMIN || found.userId().equals(p.userId()))
                .orElseThrow(() -> new NotFoundException("token")); // someone else's token is "not found", not 403
        tokens.revoke(t.id());
        res.status(Status.NO_CONTENT_204).send();
    }
}
