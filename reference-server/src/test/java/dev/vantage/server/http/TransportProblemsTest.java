package dev.vantage.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.TestServer;
import dev.vantage.server.json.JsonMapping;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests Helidon refuses before any route runs still get a problem+json answer. Raw sockets: the JDK client will
 * not send a false Content-Length.
 */
class TransportProblemsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("SERVER_MAX_BODY_BYTES", "65536"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Status line, headers and body of the answer to {@code request}, read until the server closes or the body ends. */
    private static String[] exchange(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.app.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(readAnswer(in), StandardCharsets.ISO_8859_1);
            int split = answer.indexOf("\r\n\r\n");
            return new String[] {answer.substring(0, split), answer.substring(split + 4)};
        }
    }

    private static byte[] readAnswer(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (java.net.SocketException e) {
                break; // reset after the answer: the server closed without reading the rest
            }
            if (n < 0) {
                break;
            }
            got.write(buf, 0, n);
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
            if (split > 0 && m.find() && text.length() - split - 4 >= Integer.parseInt(m.group(1))) {
                break;
            }
        }
        return got.toByteArray();
    }

    private static void assertProblem(String[] answer, int status) {
        assertThat(answer[0]).startsWith("HTTP/1.1 " + status);
        assertThat(answer[0].toLowerCase()).contains("content-type: application/problem+json");
        var body = JsonMapping.parseStored(answer[1]);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").asText()).isNotBlank();
    }

    @Test
    void anOversizedAuthorizationHeaderIs400WithAProblemBody() throws IOException {
        // 400, not 431: Helidon 4.5 does not tell a header overflow from a malformed header (TransportProblems)
        String[] answer = exchange("GET /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + "x".repeat(64 * 1024) + "\r\n\r\n");
        assertProblem(answer, 400);
        assertThat(JsonMapping.parseStored(answer[1]).get("detail").asText())
                .isEqualTo("the request's headers are malformed or larger than this server accepts");
        assertThat(answer[1]).doesNotContain("xxxx");
    }

    @Test
    void anOversizedDeclaredBodyIs413WithAProblemBody() throws IOException {
        for (String token : new String[] {null, server.adminToken()}) {
            String[] answer = exchange("POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Content-Length: 10000000\r\n\r\n{\"type\":");
            assertProblem(answer, 413);
            assertThat(JsonMapping.parseStored(answer[1]).get("detail").asText())
                    .isEqualTo("the request body is larger than this server accepts (server.max-body-bytes)");
        }
        // in the language asked for, the setting's name kept as it is
        String[] zh = exchange("POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Accept-Language: zh-CN\r\nContent-Length: 10000000\r\n\r\n{\"type\":");
        assertProblem(zh, 413);
        assertThat(JsonMapping.parseStored(new String(zh[1].getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8))
                .get("detail").asText()).isEqualTo("请求体超过了本服务器接受的大小（server.max-body-bytes）");
    }
}
