package dev.vantage.probe.engine;

import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.spi.ProbeResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A provider whose probes do what the test says; it records the configs it was given and the attempts' contexts. */
class FakeProvider implements ProbeProvider {

    /** What one attempt does. */
    @FunctionalInterface
    interface Behaviour {
        CompletionStage<ProbeResult> run(ProbeContext ctx, ProbeConfig config) throws Exception;
    }

    static final Behaviour SUCCEED = (ctx, cfg) -> CompletableFuture.completedFuture(ctx.newResult()
            .phaseNanos("connect", 1_500_000).measurement("value", 42).attribute("body", "{\"status\":\"ok\",\"n\":3}")
            .build());

    final String type;
    final Behaviour behaviour;
    final List<ProbeConfig> configs = new CopyOnWriteArrayList<>();
    final List<ProbeContext> contexts = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    FakeProvider(String type, Behaviour behaviour) {
        this.type = type;
        this.behaviour = behaviour;
    }

    static FakeProvider succeeding() {
        return new FakeProvider("fake", SUCCEED);
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public ProbeDescriptor describe() {
        return ProbeDescriptor.builder(type).description("test probe").targetDescription("anything but 'bad'")
                .parameter(ParameterSpec.builder("count", ParameterType.INTEGER).defaultValue(3L).min(1).max(10).build())
                .parameter(ParameterSpec.builder("wait", ParameterType.DURATION).defaultValue(java.time.Duration.ofMillis(5)).max(1000).build())
                .parameter(ParameterSpec.builder("mode", ParameterType.ENUM).allowedValues("a", "b").defaultValue("a").build())
                .parameter(ParameterSpec.builder("name", ParameterType.STRING).pattern("[a-z]+").build())
                .parameter(ParameterSpec.builder("password", ParameterType.STRING).secret(true).max(8).build())
                .parameter(ParameterSpec.builder("flag", ParameterType.BOOLEAN).defaultValue(false).build())
                .parameter(ParameterSpec.builder("ratio", ParameterType.NUMBER).min(0).max(1).build())
                .parameter(ParameterSpec.builder("tags", ParameterType.STRING_LIST).max(2).build())
                .parameter(ParameterSpec.builder("headers", ParameterType.STRING_MAP).build())
                .build();
    }

    @Override
    public Probe create(ProbeConfig config) throws InvalidConfigException {
        if (config.target().equals("bad")) {
            throw new InvalidConfigException(List.of(
                    dev.vantage.probe.spi.ConfigProblem.of("target", "must not be 'bad'"),
                    dev.vantage.probe.spi.ConfigProblem.of("count", "does not go with target 'bad'")));
        }
        configs.add(config);
        return new Probe() {
            @Override
            public CompletionStage<ProbeResult> run(ProbeContext context) throws ProbeException {
                contexts.add(context);
                try {
                    return behaviour.run(context, config);
                } catch (ProbeException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
