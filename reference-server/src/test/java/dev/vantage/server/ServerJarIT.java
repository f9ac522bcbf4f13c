package dev.vantage.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import dev.vantage.server.e2e.Processes;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar vantage-server.jar} with no configuration but a port and a data directory. */
class ServerJarIT {
    @Test
    void theShadedJarStartsMigratesAndServes(@TempDir Path dir) throws Exception {
        int port = Processes.freePort();
        // no admin password, no data directory: the defaults a new user gets
        Processes.Jvm server = Processes.start("server-jar", Processes.SERVER_JAR, dir,
                Map.of("SERVER_PORT", Integer.toString(port), "SERVER_HOST", "127.0.0.1"), dir.resolve("logs"));
        try {
            Processes.awaitReady("http://127.0.0.1:" + port, server);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String log = server.output();
            assertThat(ready).as(log).isNotNull();
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(dir.resolve("data/vantage.mv.db")).exists(); // the default data directory, relative to the working one

            Matcher m = Pattern.compile("password:\\s+(\\S+)").matcher(log);
            assertThat(m.find()).as(log).isTrue();
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + m.group(1) + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            String token = login.body().replaceAll(".*\"accessToken\":\"([^\"]+)\".*", "$1");
            HttpResponse<String> plugins = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/plugins"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            // plugins are found through META-INF/services, which the shade plugin must merge
            assertThat(plugins.body()).contains("\"type\":\"http\"", "\"type\":\"icmp\"", "\"type\":\"tcp\"", "\"type\":\"udp\"");
            // the generated password appears once, on standard output, and nowhere in the log lines
            assertThat(log.split(Pattern.quote(m.group(1)), -1)).hasSize(2);
        } finally {
            server.stop(Duration.ofSeconds(20));
        }
    }
}
