package dev.vantage.plugins.http;

import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeResult;
import java.util.concurrent.CompletionStage;

/** One configured HTTP probe; each attempt is an {@link Exchange} on a new connection. */
final class HttpProbe implements Probe {
    private final HttpSettings settings;
    private final HttpProbeProvider provider;

    HttpProbe(HttpSettings settings, HttpProbeProvider provider) {
        this.settings = settings;
        this.provider = provider;
    }

    /** Resolves the first host on the calling thread (the engine's virtual thread); the rest runs on Netty. */
    @Override
    public CompletionStage<ProbeResult> run(ProbeContext context) {
        return new Exchange(settings, provider, context).start();
    }

    @Override
    public String toString() {
        return "HttpProbe{" + settings + "}";
    }
}
