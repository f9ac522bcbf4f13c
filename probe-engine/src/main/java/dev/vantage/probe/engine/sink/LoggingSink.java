package dev.vantage.probe.engine.sink;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.probe.spi.ResultSink;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line per result through SLF4J (logger {@code dev.vantage.probe.results}): successes at INFO, the rest at
 * WARN. Attributes are left out, since they may hold response bodies.
 */
public final class LoggingSink implements ResultSink {
    private static final Logger LOG = LoggerFactory.getLogger("dev.vantage.probe.results");

    @Override
    public String name() {
        return "log";
    }

    @Override
    public void export(List<ProbeResult> batch) {
        for (ProbeResult r : batch) {
            if (r.status() == ProbeStatus.SUCCESS) {
                LOG.info("{} {} {} {} {}ms {}", r.taskId(), r.type(), r.target(), r.status(),
                        r.duration().toNanos() / 1e6, r.measurements());
            } else {
                LOG.warn("{} {} {} {} {}ms {}", r.taskId(), r.type(), r.target(), r.status(),
                        r.duration().toNanos() / 1e6, r.error());
            }
        }
    }
}
