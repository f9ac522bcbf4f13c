package dev.vantage.agent.blackbox;

import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.TaskSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One blackbox_exporter module mapped onto a Vantage probe type: the parameters and assertions its settings became,
 * and how a {@code /probe?target=} value becomes the probe's target.
 *
 * @param name     the module's name, e.g. {@code http_2xx}
 * @param prober   blackbox_exporter's prober: {@code http}, {@code tcp}, {@code icmp} or {@code dns}
 * @param timeout  the module's {@code timeout}, or null to follow the scrape's timeout
 * @param type     the Vantage probe type
 * @param params   the probe's parameters
 * @param assertions checks blackbox_exporter makes that the plugin does not (e.g. a DNS answer's rcode)
 * @param queryName for {@code dns}: the name to ask about (the scrape's target is then the resolver)
 */
public record BlackboxModule(String name, String prober, Duration timeout, String type, Map<String, Object> params,
                             List<Assertion> assertions, String queryName) {

    public BlackboxModule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(prober, "prober");
        Objects.requireNonNull(type, "type");
        params = Map.copyOf(params);
        assertions = List.copyOf(assertions);
    }

    /**
     * The one-off task for a scrape's target, in blackbox_exporter's forms: a URL (or a host, to which {@code http://}
     * is added) for http, {@code host:port} for tcp, a host for icmp, the resolver {@code host[:port]} for dns. It has
     * no task id, so the agent neither spools it nor makes result metrics of it.
     */
    public TaskSpec task(String target, Duration timeout) {
        String probeTarget = switch (prober) {
            case "http" -> target.contains("://") ? target : "http://" + target;
            case "dns" -> queryName;
            default -> target;
        };
        TaskSpec.Builder b = TaskSpec.builder(type, probeTarget).timeout(timeout).params(params);
        if (prober.equals("dns")) {
            b.param("resolver", target);
        }
        assertions.forEach(b::assertion);
        return b.build();
    }
}
