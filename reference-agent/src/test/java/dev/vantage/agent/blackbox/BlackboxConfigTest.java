package dev.vantage.agent.blackbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BlackboxConfigTest {

    @Test
    void theDefaultsAreBlackboxExportersExampleModulesAndTheEngineAcceptsTheirTasks() {
        BlackboxConfig defaults = BlackboxConfig.defaults();
        assertThat(defaults.moduleNames()).contains("http_2xx", "http_post_2xx", "tcp_connect", "icmp", "dns_udp", "dns_tcp");
        try (ProbeEngine engine = ProbeEngine.builder().build()) {
            for (String name : defaults.moduleNames()) {
                String target = switch (defaults.module(name).prober()) {
                    case "http" -> "127.0.0.1:8080";
                    case "tcp" -> "127.0.0.1:22";
                    case "dns" -> "127.0.0.1:53";
                    default -> "127.0.0.1";
                };
                TaskSpec task = defaults.module(name).task(target, Duration.ofSeconds(5));
                assertThat(engine.validate(task)).as(name).isEmpty();
            }
        }
        TaskSpec http = defaults.module("http_2xx").task("127.0.0.1:8080/x", Duration.ofSeconds(1));
        assertThat(http.target()).isEqualTo("http://127.0.0.1:8080/x");
        assertThat(http.params()).containsEntry("validStatus", "2xx");
        TaskSpec dns = defaults.module("dns_udp").task("127.0.0.1:5353", Duration.ofSeconds(1));
        assertThat(dns.target()).isEqualTo("www.prometheus.io");
        assertThat(dns.params()).containsEntry("resolver", "127.0.0.1:5353").containsEntry("transport", "udp");
        assertThat(defaults.module("icmp").params()).containsEntry("count", 1);
    }

    @Test
    void settingsMapOntoPluginParameters() {
        BlackboxConfig c = BlackboxConfig.parse("""
                modules:
                  web:
                    prober: http
                    timeout: 3s
                    http:
                      method: POST
                      valid_status_codes: [200, 204]
                      headers: {X-A: b}
                      no_follow_redirects: true
                      preferred_ip_protocol: ip4
                      ip_protocol_fallback: false
                      tls_config: {insecure_skip_verify: true, server_name: example.test}
                  banner:
                    prober: tcp
                    tcp:
                      query_response: [{send: "PING"}, {expect: "^\\\\+PONG"}]
                      tls: true
                """);
        BlackboxModule web = c.module("web");
        assertThat(web.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(web.params()).containsEntry("method", "POST").containsEntry("validStatus", "200,204")
                .containsEntry("headers", Map.of("X-A", "b")).containsEntry("followRedirects", false)
                .containsEntry("ipVersion", "4").containsEntry("verifyTls", false).containsEntry("sni", "example.test");
        assertThat(c.module("banner").params()).containsEntry("send", "PING").containsEntry("expect", "^\\+PONG")
                .containsEntry("tls", true);
    }

    @Test
    void unsupportedKeysAreRefusedByTheirPath() {
        assertThatThrownBy(() -> BlackboxConfig.parse("""
                modules:
                  web:
                    prober: http
                    http:
                      fail_if_body_matches_regexp: [x]
                  g:
                    prober: grpc
                  irc:
                    prober: tcp
                    tcp:
                      query_response: [{send: a}, {expect: b}, {send: c}]
                  d:
                    prober: dns
                    dns: {query_type: A}
                other: 1
                """))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modules.web.http.fail_if_body_matches_regexp: not supported")
                .hasMessageContaining("modules.g.prober: 'grpc' is not supported")
                .hasMessageContaining("modules.irc.tcp.query_response: only one send followed by one expect")
                .hasMessageContaining("modules.d.dns.query_name: required")
                .hasMessageContaining("other: not supported");
        assertThatThrownBy(() -> BlackboxConfig.parse("modules: [")).hasMessageStartingWith("not valid YAML");
    }
}
