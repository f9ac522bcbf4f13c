package dev.vantage.plugins.icmp;

import dev.vantage.probe.plugin.linux.InNetns;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.testkit.IcmpEchoConformanceSuite;
import java.util.Map;

/** The conformance suite every plugin passes, pinging from inside the suite's namespace. Needs root. */
class IcmpConformanceIT extends IcmpEchoConformanceSuite {

    @Override
    protected ProbeProvider provider() {
        return new IcmpProbeProvider();
    }

    @Override
    protected ProbeProvider providerInside(String namespace) throws Exception {
        IcmpProbeProvider provider = new IcmpProbeProvider();
        InNetns.call(namespace, () -> provider.channel(false, 64));
        return provider;
    }

    @Override
    protected Map<String, Object> params() {
        // the suite's 400 ms timeout must hold (count - 1) × interval
        return Map.of("interval", "10ms");
    }
}
