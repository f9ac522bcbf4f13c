package dev.vantage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small REST client for the tests: JSON in, JSON out, bearer token. */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;
    private volatile String token;

    Api(String base) {
        this.base = base;
    }

    record Response(int status, JsonNode body, String text) {
    }

    Api login(String user, String password) throws IOException, InterruptedException {
        Response r = call("POST", "/api/v1/auth/login", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
        if (r.status() != 200) {
            throw new IllegalStateException("login failed: " + r.status() + " " + r.text());
        }
        token = r.body().get("accessToken").asText();
        return this;
    }

    String token() {
        return token;
    }

    /** The same server, called with another bearer token (an API token, say). */
    Api as(String bearer) {
        Api other = new Api(base);
        other.token = bearer;
        return other;
    }

    Response get(String path) throws IOException, InterruptedException {
        return call("GET", path, null);
    }

    Response post(String path, Object body) throws IOException, InterruptedException {
        return call("POST", path, body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    Response put(String path, Object body) throws IOException, InterruptedException {
        return call("PUT", path, body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    /** PUT of raw bytes as {@code application/octet-stream}. */
    Response putBytes(String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r.body());
    }

    Response call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        if (!r.body().isEmpty()) {
            try {
                json = JSON.readTree(r.body());
            } catch (IOException e) {
                json = null;
            }
        }
        return new Response(r.statusCode(), json, r.body());
    }
}
