package dev.vantage.server.agents.releases;

import dev.vantage.server.agents.certificates.AgentIdentity;
import dev.vantage.server.errors.ConflictException;
import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import java.io.OutputStream;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/agent-releases} (admins: create a release, upload its artifact in parts, list, delete) and
 * {@code GET /ws/agent/releases/{version}}, where agents download a complete release with their own credential
 * (docs/agent-updates.md).
 */
public final class ReleasesApi implements ApiModule {
    /** Largest artifact, the same bound the agent applies. */
    public static final long MAX_SIZE = 256L << 20;
    /** Safe as a directory name on the agent and a URL segment (the agent checks the same). */
    static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final ReleaseStore store;
    private final AgentIdentity agents;
    private final Predicate<String> inUse;

    /**
     * @param agents who may download: agents, by their certificate or (where allowed) bearer credential
     * @param inUse  whether a running rollout installs the version (it may not be deleted then)
     */
    public ReleasesApi(ReleaseStore store, AgentIdentity agents, Predicate<String> inUse) {
        this.store = store;
        this.agents = agents;
        this.inUse = inUse;
    }

    @Override
    public void routes(Routes routes) {
        String one = "/api/v1/agent-releases/{version}";
        routes.get("/api/v1/agent-releases", Role.ADMIN, (req, res) ->
                        Json.send(res, Map.of("items", store.list().stream().map(Release::toJson).toList())))
                .post("/api/v1/agent-releases", Role.ADMIN, (req, res) -> {
                    JsonInput in = JsonInput.of(Json.readObject(req), "version", "size", "sha256", "signature");
                    String version = in.requiredString("version", 64);
                    if (version != null && !VERSION.matcher(version).matches()) {
                        in.error("version", Message.of("release.version"));
                    }
                    Long size = in.optionalLong("size");
                    if (size == null && !in.has("size")) {
                        in.error("size", Message.of("json.required"));
                    } else if (size != null && (size < 1 || size > MAX_SIZE)) {
                        in.error("size", Message.of("release.size", MAX_SIZE));
                    }
                    String sha256 = in.requiredString("sha256", 64);
                    if (sha256 != null && !SHA256.matcher(sha256).matches()) {
                        in.error("sha256", Message.of("release.sha256Format"));
                    }
                    String signature = in.requiredString("signature", 200);
                    if (signature != null && !isSignature(signature)) {
                        in.error("signature", Message.of("release.signature"));
                    }
                    in.check();
                    Release r = store.create(version, size, sha256.toLowerCase(java.util.Locale.ROOT), signature,
                            Routes.principal(req).username());
                    Json.send(res, Status.CREATED_201, r.toJson());
                })
                .get(one, Role.ADMIN, (req, res) -> Json.send(res, find(req).toJson()))
                .put(one + "/artifact", Role.ADMIN, (req, res) -> {
                    String version = find(req).version();
                    QueryParams q = new QueryParams(req);
                    int offset = q.integer("offset", 0, 0, (int) MAX_SIZE);
                    q.check();
                    String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
                    if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/octet-stream")) {
                        throw new ApiException(Status.UNSUPPORTED_MEDIA_TYPE_415, Message.of("release.mediaType"));
                    }
                    byte[] data = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
                    Json.send(res, store.append(version, offset, data).toJson());
                })
                .delete(one, Role.ADMIN, (req, res) -> {
                    String version = find(req).version();
                    if (inUse.test(version)) {
                        throw new ConflictException(Message.of("release.inUse", version));
                    }
                    store.delete(version);
                    res.status(Status.NO_CONTENT_204).send();
                })
                .describe("agent-releases", v -> store.find(v).map(Release::toJson));
    }

    /** Agents download here, beside their WebSocket, with the same credential (certificate or bearer). */
    @Override
    public void extraRouting(HttpRouting.Builder routing) {
        routing.get("/ws/agent/releases/{version}", (req, res) -> {
            agents.authenticate(req.remotePeer(), req.headers());
            Release r = find(req);
            if (!r.ready()) {
                throw new NotFoundException("agent release");
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/java-archive");
            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(r.size()));
            try (OutputStream out = res.outputStream()) {
                store.copy(r.version(), out);
            }
        });
    }

    private Release find(ServerRequest req) {
        String version = req.path().pathParameters().get("version");
        return store.find(version).orElseThrow(() -> new NotFoundException("agent release"));
    }

    private static boolean isSignature(String base64) {
        try {
            return Base64.getDecoder().decode(base64).length == 64; // an Ed25519 signature
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
