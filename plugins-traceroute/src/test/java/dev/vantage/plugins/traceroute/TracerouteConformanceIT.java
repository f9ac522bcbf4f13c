package dev.vantage.plugins.traceroute;

import dev.vantage.probe.plugin.linux.InNetns;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.IcmpEchoConformanceSuite;
import java.util.Map;

/** The conformance suite every plugin passes, tracing from inside the suite's namespace. Needs root. */
class TracerouteConformanceIT extends IcmpEchoConformanceSuite {

    @Override
    protected ProbeProvider provider() {
        return new TracerouteProbeProvider();
    }

    @Override
    protected ProbeProvider providerInside(String namespace) throws Exception {
        TracerouteProbeProvider provider = new TracerouteProbeProvider();
        InNetns.call(namespace, () -> provider.channel(Mode.ICMP, false));
        return provider;
    }

    @Override
    protected Map<String, Object> params() {
        // one probe per hop: a trace to 127.0.0.1 is then a single echo
        return Map.of("probesPerHop", 1);
    }
}
