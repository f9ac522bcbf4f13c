package dev.vantage.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process writing the spool as fast as it can, at random moments: every batch it had been told was
 * durable (its {@link SpoolSink#export} returned) is there after the kill, whole, with exactly its results; no
 * half-written batch is ever seen. The writer is a separate JVM ({@link Writer}) so the kill is a real one.
 */
class SpoolKillTest {
    private static final int KILLS = 6;
    private static final Duration BOUND = Duration.ofSeconds(20); // per round: the writer stops by itself by then

    @TempDir
    Path tmp;

    @Test
    void killNineLosesNoBatchThatWasDeclaredDurable() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<String, List<String>> declared = new LinkedHashMap<>();
        for (int round = 0; round < KILLS; round++) {
            Path out = tmp.resolve("writer-" + round + ".txt");
            Process writer = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "-cp", System.getProperty("java.class.path"), Writer.class.getName(), spoolDir.toString(),
                    "r" + round, Long.toString(BOUND.toMillis()))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> Files.readString(out).contains("durable "));
                Thread.sleep(50 + random.nextInt(400)); // a random moment into the load
                writer.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, mid-write somewhere
                assertThat(writer.waitFor(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                writer.destroyForcibly();
            }
            List<String> lines = Files.readAllLines(out);
            // the last line may be cut off by the kill: only whole lines (ending with "end") count
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length >= 3 && f[0].equals("durable") && f[f.length - 1].equals("end")) {
                    declared.put(f[1], List.of(f).subList(2, f.length - 1));
                }
            }
            assertThat(declared).as("round %d wrote something (seed %d)", round, seed).isNotEmpty();

            Spool reopened = Spool.open(spoolDir, Long.MAX_VALUE, Duration.ofDays(365), Clock.systemUTC());
            try (Stream<Path> files = Files.list(spoolDir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("temporary files are cleared at open")
                        .allMatch(n -> n.endsWith(".jsonl"));
            }
            for (Map.Entry<String, List<String>> batch : declared.entrySet()) {
                assertThat(reopened.contains(batch.getKey())).as("batch %s declared durable (seed %d)",
                        batch.getKey(), seed).isTrue();
                assertThat(reopened.read(batch.getKey())).extracting(ProbeResult::id)
                        .as("batch %s whole (seed %d)", batch.getKey(), seed).containsExactlyElementsOf(batch.getValue());
            }
            // every batch on disk is whole, declared or not (written, but killed before it could say so)
            for (Spool.Batch b : reopened.batches()) {
                assertThat(reopened.read(b.id())).hasSize(b.results());
            }
            assertThat(reopened.stats().droppedResults()).as("no damaged lines").isZero();
        }
    }

    /**
     * The writer: appends batches of 1–40 results through {@link SpoolSink} as fast as it can (while a reader
     * thread reads them back as the uplink does), printing {@code durable <batch> <ids...> end} after each export
     * returned; stops after the given milliseconds (the test kills it well before).
     */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            Spool spool = Spool.open(Path.of(args[0]), Long.MAX_VALUE, Duration.ofDays(365), Clock.systemUTC());
            String prefix = args[1];
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
            PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
            SpoolSink sink = new SpoolSink(spool, () -> { });
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                String after = null;
                while (true) {
                    Spool.Batch b = spool.next(after);
                    if (b == null) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                        continue;
                    }
                    try {
                        spool.read(b.id());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    after = b.id();
                }
            });
            Random random = new Random();
            String previous = spool.batches().isEmpty() ? null : spool.batches().getLast().id();
            for (long n = 0; System.nanoTime() < end; n++) {
                int size = 1 + random.nextInt(40);
                List<ProbeResult> batch = new ArrayList<>(size);
                StringBuilder ids = new StringBuilder();
                for (int i = 0; i < size; i++) {
                    String id = prefix + "-" + n + "-" + i;
                    batch.add(ProbeResult.builder().id(id).taskId("t").type("tcp").target("127.0.0.1:1")
                            .status(ProbeStatus.SUCCESS).startedAt(Instant.now()).duration(Duration.ofMillis(1))
                            .build());
                    ids.append(id).append(' ');
                }
                sink.export(batch);
                // export returned: the batch is durable. It is the one after the previous (one writer, no acks)
                String id = spool.next(previous).id();
                out.print("durable " + id + " " + ids + "end\n");
                out.flush();
                previous = id;
            }
            reader.interrupt();
        }
    }
}
