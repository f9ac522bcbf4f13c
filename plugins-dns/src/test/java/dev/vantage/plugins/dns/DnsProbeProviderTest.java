package dev.vantage.plugins.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.TestEngines;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Type;

/** What the provider accepts and refuses, without sending anything. */
class DnsProbeProviderTest {
    private final ProbeEngine engine = TestEngines.engine(new DnsProbeProvider());

    @AfterEach
    void close() {
        engine.close();
    }

    private Map<String, String> problems(String target, Object... params) {
        TaskSpec.Builder b = TaskSpec.builder("dns", target);
        for (int i = 0; i + 1 < params.length; i += 2) {
            b.param((String) params[i], params[i + 1]);
        }
        Map<String, String> byField = new LinkedHashMap<>();
        for (ConfigProblem p : engine.validate(b.build())) {
            byField.merge(p.field(), p.reason(), (x, y) -> x + " | " + y);
        }
        return byField;
    }

    @Test
    void isFoundByTheServiceLoader() {
        getClass().getModule().addUses(ProbeProvider.class); // tests run inside the plugin's module
        assertThat(ServiceLoader.load(ProbeProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(DnsProbeProvider.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "www.example.com        | A   | www.example.com.",
        "www.example.com.       | A   | www.example.com.",
        "_sip._tcp.example.com  | SRV | _sip._tcp.example.com.",
        ".                      | NS  | .",
        "例え.テスト             | A   | xn--r8jz45g.xn--zckzah.",
        "192.0.2.1              | PTR | 1.2.0.192.in-addr.arpa.",
        "2001:db8::1            | PTR | 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
        "1.2.0.192.in-addr.arpa | PTR | 1.2.0.192.in-addr.arpa.",
        "192.0.2.1              | A   | 192.0.2.1.",
    })
    void theTargetBecomesTheNameAsked(String target, String type, String name) {
        assertThat(DnsProbeProvider.queryName(target, Type.value(type)).toString()).isEqualTo(name);
        assertThat(problems(target, "type", type, "resolver", "127.0.0.1")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bad..name   | A",
        "-           | A",
        "a b.example | A",
        "0177.0.0.1  | PTR",
        "1.2.3       | PTR",
        "''          | A",
    })
    void aTargetThatIsNoNameIsRefused(String target, String type) {
        assertThat(problems(target, "type", type, "resolver", "127.0.0.1")).containsOnlyKeys("target");
    }

    @Test
    void aLabelOrANameTooLongIsRefused() {
        assertThat(problems("a".repeat(64) + ".example", "resolver", "127.0.0.1")).containsOnlyKeys("target");
        assertThat(problems(("a".repeat(60) + ".").repeat(5) + "com", "resolver", "127.0.0.1"))
                .containsOnlyKeys("target");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1          | udp | 127.0.0.1:53",
        "127.0.0.1:5353     | udp | 127.0.0.1:5353",
        "127.0.0.1          | dot | 127.0.0.1:853",
        "::1                | udp | [::1]:53",
        "[::1]:5353         | tcp | [::1]:5353",
        "dns.example        | dot | dns.example:853",
    })
    void resolverForms(String resolver, String transport, String endpoint) {
        DnsProbe.Transport t = DnsProbe.Transport.valueOf(transport.toUpperCase());
        assertThat(Endpoint.hostPort(resolver, t.defaultPort).toString()).isEqualTo(endpoint);
        assertThat(problems("example.com", "resolver", resolver, "transport", transport)).isEmpty();
    }

    @Test
    void badResolversAreRefusedNamingTheParameter() {
        assertThat(problems("example.com", "resolver", "0177.0.0.1").get("params.resolver")).contains("ambiguous");
        assertThat(problems("example.com", "resolver", "127.0.0.1:0")).containsOnlyKeys("params.resolver");
        assertThat(problems("example.com", "resolver", "a b")).containsOnlyKeys("params.resolver");
        assertThat(problems("example.com", "transport", "doh").get("params.resolver")).contains("https URL");
        assertThat(problems("example.com", "transport", "doh", "resolver", "http://127.0.0.1/dns-query"))
                .containsOnlyKeys("params.resolver");
        assertThat(problems("example.com", "transport", "doh", "resolver", "https://u:p@127.0.0.1/dns-query"))
                .containsOnlyKeys("params.resolver");
    }

    @Test
    void dohUrls() {
        Endpoint plain = Endpoint.url("https://dns.example");
        assertThat(plain).isEqualTo(new Endpoint("dns.example", 443, "/dns-query", "dns.example"));
        Endpoint v6 = Endpoint.url("https://[::1]:8443/q?ct");
        assertThat(v6).isEqualTo(new Endpoint("::1", 8443, "/q?ct", "[::1]:8443"));
    }

    @Test
    void parameterCombinationsAreCheckedTogether() {
        Map<String, String> p = problems("example.com", "resolver", "127.0.0.1", "ednsBufferSize", 100,
                "sni", "dns.example", "caCert", "not a certificate");
        assertThat(p).containsOnlyKeys("params.ednsBufferSize", "params.sni", "params.caCert");
        assertThat(p.get("params.sni")).isEqualTo("only applies with transport dot / doh");

        assertThat(problems("example.com", "resolver", "127.0.0.1", "ednsBufferSize", 0, "dnssecOk", true))
                .containsOnlyKeys("params.dnssecOk");
        assertThat(problems("example.com", "resolver", "127.0.0.1", "transport", "dot", "sni", "192.0.2.1"))
                .containsOnlyKeys("params.sni");
        assertThat(problems("example.com", "resolver", "127.0.0.1", "transport", "dot", "caCert", "junk"))
                .containsOnlyKeys("params.caCert");
        assertThat(problems("example.com", "type", "ANY")).containsOnlyKeys("params.type");
    }

    @Test
    void theSystemResolversAreTheNameserverLinesOfResolvConf(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, """
                # written by a test; nothing is asked
                search example.test
                nameserver 127.0.0.53
                options edns0 trust-ad
                ; a comment
                nameserver ::1
                nameserver 0177.0.0.1
                nameserver not-an-address
                """);
        ResolvConf resolvConf = new ResolvConf(conf);
        assertThat(resolvConf.servers()).containsExactly(InetAddress.getByName("127.0.0.53"),
                InetAddress.getByName("::1"));
        Files.writeString(conf, "nameserver 127.0.0.54\n");
        Files.setLastModifiedTime(conf, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(resolvConf.servers()).containsExactly(InetAddress.getByName("127.0.0.54"));
        assertThat(new ResolvConf(dir.resolve("missing")).servers()).isEmpty();
        assertThat(ResolvConf.parse(List.of("nameserver"))).isEmpty();
    }
}
