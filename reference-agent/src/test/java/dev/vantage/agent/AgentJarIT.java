package dev.vantage.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

/**
 * The shaded {@code vantage-agent.jar} as users run it: every built-in plugin is listed and probes a real local
 * responder. The unit tests run on Maven's class path; only this catches a class missing from the jar (a test-scoped
 * dependency once shadowed the http plugin's HTTP codec, and {@code probe http} failed only in the jar).
 */
class AgentJarIT {
    private static final Path JAR = Path.of("target", "vantage-agent.jar");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpServer http;
    private static ServerSocket tcp;
    private static DatagramSocket udp;
    private static DatagramSocket dns;

    @BeforeAll
    static void startResponders() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        http = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        http.createContext("/", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        tcp = new ServerSocket(0, 50, loopback);
        Thread.ofVirtual().start(() -> {
            while (!tcp.isClosed()) {
                try (Socket s = tcp.accept()) {
                    s.getOutputStream().write("SSH-2.0-test\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return;
                }
            }
        });
        udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[2048];
            while (!udp.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    udp.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        dns = new DatagramSocket(new InetSocketAddress(loopback, 0));
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[2048];
            while (!dns.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    dns.receive(p);
                    byte[] answer = answer(Arrays.copyOf(p.getData(), p.getLength()));
                    dns.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Every name is 127.0.0.1: an authoritative answer built with dnsjava, the library the dns plugin uses. */
    private static byte[] answer(byte[] query) throws IOException {
        Message q = new Message(query);
        Message a = new Message(q.getHeader().getID());
        a.getHeader().setFlag(Flags.QR);
        a.getHeader().setFlag(Flags.AA);
        a.addRecord(q.getQuestion(), Section.QUESTION);
        a.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60, InetAddress.getLoopbackAddress()),
                Section.ANSWER);
        return a.toWire();
    }

    @AfterAll
    static void stopResponders() throws IOException {
        http.stop(0);
        tcp.close();
        udp.close();
        dns.close();
    }

    @Test
    void listsEveryBuiltInPlugin() throws Exception {
        Run run = agent("plugins");
        assertThat(run.exit).as(run.output).isZero();
        assertThat(run.output).contains("icmp", "tcp", "udp", "http", "dns");
    }

    @Test
    void runsAPluginJarDroppedIntoPlugins() throws Exception {
        // the shaded jar's class loader is the plugin's parent: the SPI must be found there, not in the plugin
        Path dir = Files.createTempDirectory("agent-plugins");
        try {
            dev.vantage.probe.testkit.TestPluginJar.write(dir, "greeting.jar", "1.0.0");
            Run list = agent("plugins", "--plugins-dir", dir.toString());
            assertThat(list.exit).as(list.output).isZero();
            assertThat(list.output).contains("greeting (", "jar: greeting.jar (greeting-plugin 1.0.0, sha256 ");
            Run probe = agent("probe", "greeting", "jar", "--json", "--plugins-dir", dir.toString());
            assertSuccess(probe);
            assertThat(probe.output).contains("\"greeting\":\"hello jar\"");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void probesHttp() throws Exception {
        // the first attempt of a fresh JVM: an IP literal asks no resolver, so it has no dns phase (cold start-up
        // costs were once reported as "dns 15 ms")
        JsonNode first = assertSuccess(agent("probe", "http", "http://127.0.0.1:" + http.getAddress().getPort() + "/",
                "--json"));
        assertThat(first.get("phases").has("connect")).as(first.toString()).isTrue();
        assertThat(first.get("phases").has("dns")).as(first.toString()).isFalse();
    }

    @Test
    void resolvesNamesWithTheJdk() throws Exception {
        // a library in the jar must not take over the JDK's name resolution (dnsjava offers to, and the shaded jar
        // could not load its resolver: every name lookup failed, enrollment included)
        JsonNode first = assertSuccess(agent("probe", "http", "http://localhost:" + http.getAddress().getPort() + "/",
                "--json"));
        assertThat(first.get("phases").has("dns")).as("a name is resolved: " + first).isTrue();
    }

    @Test
    void probesTcp() throws Exception {
        assertSuccess(agent("probe", "tcp", "127.0.0.1:" + tcp.getLocalPort(), "--json", "-p", "expect=SSH-2"));
    }

    @Test
    void probesUdp() throws Exception {
        assertSuccess(agent("probe", "udp", "127.0.0.1:" + udp.getLocalPort(), "--json", "-p", "payload=ping"));
    }

    @Test
    void probesDnsWithAnAnswerAssertion() throws Exception {
        String resolver = "resolver=127.0.0.1:" + dns.getLocalPort();
        assertSuccess(agent("probe", "dns", "www.example.test", "--json", "-p", resolver,
                "--assert", "attribute.answers within_cidr 127.0.0.0/8"));
        Run hijacked = agent("probe", "dns", "www.example.test", "--json", "-p", resolver,
                "--assert", "attribute.answers within_cidr 192.0.2.0/24");
        assertThat(hijacked.output).as(hijacked.output).contains("\"status\":\"FAILURE\"", "\"ASSERTION\"");
    }

    /** @return the first result */
    private static JsonNode assertSuccess(Run run) throws IOException {
        assertThat(run.exit).as(run.output).isZero();
        JsonNode result = JSON.readTree(run.output.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertThat(result.get("status").asText()).as(run.output).isEqualTo("SUCCESS");
        return result;
    }

    private record Run(int exit, String output) {
    }

    private static Run agent(String... args) throws Exception {
        assertThat(JAR).as("the shaded jar (mvn package builds it)").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("agent-jar", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the agent did not finish in 60 s: " + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
