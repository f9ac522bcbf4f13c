package dev.vantage.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar vantage-server.jar} with no configuration but a port and a data directory. */
class ServerJarIT {
    @Test
    void theShadedJarStartsMigratesAndServes(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target/vantage-server.jar").toAbsolutePath();
        assertThat(jar).exists();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path out = dir.resolve("stdout.txt");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("VANTAGE_") || k.startsWith("SERVER_"));
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        pb.environment().put("SERVER_HOST", "127.0.0.1");
        Process p = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ready = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    break;
                } catch (IOException notYet) {
                    Thread.sleep(200);
                }
            }
            String log = Files.readString(out);
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
            p.destroy();
            p.waitFor();
        }
    }
}
