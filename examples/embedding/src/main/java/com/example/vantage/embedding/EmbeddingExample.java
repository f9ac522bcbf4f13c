package com.example.vantage.embedding;

// README:begin
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;

/** Checks that an echo service answers: {@code java ... EmbeddingExample 127.0.0.1:7}. */
public final class EmbeddingExample {
    public static void main(String[] args) {
        System.out.println(probe(args.length > 0 ? args[0] : "127.0.0.1:7"));
    }

    static ProbeResult probe(String target) {
        // Probe plugins on the class path or module path are found with ServiceLoader.
        try (ProbeEngine engine = ProbeEngine.builder()
                .addressPolicy(AddressPolicy.builder().allow("127.0.0.0/8").allow("::1").build())
                .addSink(batch -> batch.forEach(r -> System.out.println("sink got " + r.status())))
                .build()) {
            TaskSpec task = TaskSpec.builder("example-echo", target)
                    .timeout(Duration.ofSeconds(2))
                    .param("message", "hello")
                    .build();
            return engine.runOnce(task).toCompletableFuture().join();
        }
    }
}
// README:end
