package dev.vantage.probe.engine.internal;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.Probe;
import java.util.List;

/** A task the engine has validated: its probe is created and its assertions compiled. */
public record PreparedTask(TaskSpec spec, Probe probe, List<CompiledAssertion> assertions) {
}
