package dev.vantage.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestServer;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The UI's files as a browser gets them: pages, hashed assets kept for a year, and 304s without a body. */
class UiModuleTest {

    @Test
    void pagesAssetsAndRevalidation() throws Exception {
        try (TestServer server = TestServer.start()) {
            TestServer.Response page = server.get("/tasks/web", null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
            assertThat(page.headers().firstValue("Cache-Control")).contains("no-cache");
            Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(page.body());
            assertThat(script.find()).as("index.html names its script").isTrue();

            TestServer.Response asset = server.get(script.group(1), null);
            assertThat(asset.status()).isEqualTo(200);
            assertThat(asset.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
            assertThat(asset.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, immutable");
            String etag = asset.headers().firstValue("ETag").orElseThrow();

            TestServer.Response again = server.call("GET", script.group(1), null, null, Map.of("If-None-Match", etag));
            assertThat(again.status()).isEqualTo(304);
            assertThat(again.body()).isEmpty();
            TestServer.Response pageAgain = server.call("GET", "/", null, null,
                    Map.of("If-None-Match", page.headers().firstValue("ETag").orElseThrow()));
            assertThat(pageAgain.status()).isEqualTo(304);

            assertThat(server.get("/assets/no-such-file.js", null).status()).isEqualTo(404);
            // nothing of the class path outside the UI's folder, however the path is spelled
            assertThat(server.get("/assets/%2e%2e/%2e%2e/%2e%2e/META-INF/MANIFEST.MF", null).status()).isNotEqualTo(200);
            assertThat(server.get("/..%2f..%2f..%2fMETA-INF/MANIFEST.MF", null).status()).isNotEqualTo(200);
            assertThat(server.get("/api/v1/nothing-here", null).headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).contains("problem+json"));
        }
    }
}
