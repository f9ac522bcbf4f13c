package dev.vantage.server;

import dev.vantage.server.json.JsonMapping;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.server.security.Role;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.users.User;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** A real server on a random port with a real H2 database in a temporary directory, and an HTTP client for it. */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    public static final String JWT_SECRET = "a-test-secret-of-more-than-32-bytes-0123456789";

    /** An HTTP answer; {@link #json()} parses the body. */
    public record Response(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            return JsonMapping.parseStored(body);
        }

        public String contentType() {
            return headers.firstValue("content-type").orElse("");
        }
    }

    private final Path dir;
    private final boolean ownsDir;
    public final ByteArrayOutputStream console = new ByteArrayOutputStream();
    public final ServerCore core;
    public final ServerApp app;
    private volatile HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(Path dir, boolean ownsDir, Map<String, String> env, ServerCore.DispatchFactory dispatch) {
        this.dir = dir;
        this.ownsDir = ownsDir;
        Map<String, String> all = new HashMap<>();
        all.put("VANTAGE_DATA_DIR", dir.toString());
        all.put("SERVER_HOST", "127.0.0.1");
        all.put("SERVER_PORT", "0");
        all.put("VANTAGE_ADMIN_PASSWORD", ADMIN_PASSWORD);
        all.put("VANTAGE_JWT_SECRET", JWT_SECRET);
        // agent tests start their own agents; a local one would only add tasks' results and start-up time
        all.put("VANTAGE_LOCAL_AGENT", "false");
        // tests store results dated 2025: the retention must not delete them under the test (its own test sets it)
        all.put("VANTAGE_RESULTS_RETENTION", "36500d");
        all.put("VANTAGE_ROLLUPS_RETENTION_1M", "forever");
        all.put("VANTAGE_ROLLUPS_RETENTION_1H", "forever");
        all.put("VANTAGE_ROLLUPS_RETENTION_1D", "forever");
        all.putAll(env);
        all.values().removeIf(v -> v == null);
        ServerConfig config = ServerConfig.load(all);
        this.core = ServerCore.start(config, Clock.systemUTC(), new PrintStream(console, true, StandardCharsets.UTF_8), dispatch);
        this.app = ServerApp.start(core);
    }

    public static TestServer start() {
        return start(Map.of());
    }

    /** Starts with these environment variables on top of the test defaults (a {@code null} value removes one). */
    public static TestServer start(Map<String, String> env) {
        return start(env, dev.vantage.server.dispatch.Dispatch::create);
    }

    /** Starts with these environment variables and a dispatch of the caller's making. */
    public static TestServer start(Map<String, String> env, ServerCore.DispatchFactory dispatch) {
        try {
            return new TestServer(Files.createTempDirectory("vantage-server-test"), true, env, dispatch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts on an existing data directory, which the caller deletes. */
    public static TestServer startIn(Path dir, Map<String, String> env) {
        return new TestServer(dir, false, env, dev.vantage.server.dispatch.Dispatch::create);
    }

    public Path dataDir() {
        return dir;
    }

    public URI uri(String path) {
        return URI.create((core.tls().isPresent() ? "https" : "http") + "://127.0.0.1:" + app.port() + path);
    }

    /** Calls this (HTTPS) server trusting certificates by {@code tls}. */
    public TestServer trusting(javax.net.ssl.SSLContext tls) {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build();
        return this;
    }

    public Response call(String method, String path, String token, String body) {
        return call(method, path, token, body, Map.of());
    }

    public Response call(String method, String path, String token, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path, String token) {
        return call("GET", path, token, null);
    }

    public Response post(String path, String token, String body) {
        return call("POST", path, token, body);
    }

    /** Logs in through the API and returns the whole answer (tokens and expiry). */
    public JsonNode loginPair(String username, String password) {
        Response r = post("/api/v1/auth/login", null, JsonMapping.write(Map.of("username", username, "password", password)));
        if (r.status() != 200) {
            throw new AssertionError("login of " + username + " failed: " + r.status() + " " + r.body());
        }
        return r.json();
    }

    public String login(String username, String password) {
        return loginPair(username, password).get("accessToken").asText();
    }

    public String adminToken() {
        return login("admin", ADMIN_PASSWORD);
    }

    /** A user with password {@code password-of-<name>}. */
    public User createUser(String name, Role role) {
        return core.users().create(name, core.passwords().hash(passwordOf(name)), role);
    }

    public static String passwordOf(String name) {
        return "password-of-" + name;
    }

    /** An access token of a new session for the user, without the cost of a password check. */
    public String sessionToken(User user) {
        return core.sessions().start(user.id()).accessToken();
    }

    @Override
    public void close() {
        app.close();
        core.close();
        if (ownsDir) {
            deleteTree(dir);
        }
    }

    /** A loopback port that accepts every connection and closes it at once: a tcp task's target that answers. */
    public static java.net.ServerSocket acceptingTarget() throws IOException {
        java.net.ServerSocket s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try {
                    s.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return s;
    }

    public static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
