package dev.vantage.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk spool on real files: batches, ids, reopening, and the size and age bounds. */
class SpoolTest {
    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static ProbeResult result(String task, Instant startedAt) {
        return ProbeResult.builder().id(UUID.randomUUID().toString()).taskId(task).type("tcp").target("127.0.0.1:1")
                .status(ProbeStatus.SUCCESS).startedAt(startedAt).duration(Duration.ofMillis(3)).build();
    }

    private static List<ProbeResult> results(int n) {
        return IntStream.range(0, n).mapToObj(i -> result("t", T0.plusSeconds(i))).toList();
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        Instant now = T0;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aBatchIsOneFileReadBackAsWrittenAndDeletedWhenAcked() throws IOException {
        Spool spool = Spool.open(dir, 1 << 20, Duration.ofDays(7), Clock.systemUTC());
        List<ProbeResult> written = results(3);
        String id = spool.append(written);
        assertThat(files()).containsExactly(id + ".jsonl");
        List<ProbeResult> read = spool.read(id);
        assertThat(read).extracting(ProbeResult::id).containsExactlyElementsOf(written.stream().map(ProbeResult::id).toList());
        assertThat(read).extracting(ProbeResult::startedAt).containsExactly(T0, T0.plusSeconds(1), T0.plusSeconds(2));
        assertThat(spool.stats().results()).isEqualTo(3);
        assertThat(spool.stats().bytes()).isEqualTo(Files.size(dir.resolve(id + ".jsonl")));
        assertThat(spool.delete(id)).isTrue();
        assertThat(files()).isEmpty();
        assertThat(spool.delete(id)).as("a second ack of the same batch").isFalse();
        assertThat(spool.delete("../agent")).as("ids the spool did not issue touch nothing").isFalse();
    }

    @Test
    void batchIdsGrowInWriteOrderAndSurviveReopening() throws IOException {
        Spool first = Spool.open(dir, 1 << 20, Duration.ofDays(7), Clock.systemUTC());
        String a = first.append(results(1));
        String b = first.append(results(2));
        assertThat(b).isGreaterThan(a);
        Files.writeString(dir.resolve("99999999999999999999.jsonl.tmp"), "{\"half\":"); // a crash mid-write
        Spool again = Spool.open(dir, 1 << 20, Duration.ofDays(7), Clock.systemUTC());
        assertThat(again.batches()).extracting(Spool.Batch::id).containsExactly(a, b);
        assertThat(again.batches()).extracting(Spool.Batch::results).containsExactly(1, 2);
        assertThat(files()).as("the half-written batch is discarded, never sent").doesNotContain("99999999999999999999.jsonl.tmp");
        String c = again.append(results(1));
        assertThat(c).isGreaterThan(b);
        assertThat(again.next(null).id()).isEqualTo(a);
        assertThat(again.next(a).id()).isEqualTo(b);
        assertThat(again.next(c)).isNull();
    }

    @Test
    void aDamagedLineIsSkippedAndCountedNotFatal() throws IOException {
        Spool spool = Spool.open(dir, 1 << 20, Duration.ofDays(7), Clock.systemUTC());
        String id = spool.append(results(2));
        Files.writeString(dir.resolve(id + ".jsonl"), "{\"not\": \"a result\"}\n", java.nio.file.StandardOpenOption.APPEND);
        // read back from disk, as after a restart (this process still holds the batch as written)
        Spool reopened = Spool.open(dir, 1 << 20, Duration.ofDays(7), Clock.systemUTC());
        assertThat(reopened.read(id)).hasSize(2);
        assertThat(reopened.stats().droppedResults()).isEqualTo(1);
    }

    @Test
    void aFreshBatchIsReadFromMemoryOnceThenFromDisk() throws IOException {
        Spool spool = Spool.open(dir, 1 << 20, Duration.ofDays(7), Clock.systemUTC());
        List<ProbeResult> written = results(3);
        String id = spool.append(written);
        // the first read (the uplink sending it) needs no disk; a resend after a reconnect reads the file
        Files.writeString(dir.resolve(id + ".jsonl"), "{\"not\": \"a result\"}\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(spool.read(id)).containsExactlyElementsOf(written);
        assertThat(spool.read(id)).extracting(ProbeResult::id).containsExactlyElementsOf(written.stream().map(ProbeResult::id).toList());
        assertThat(spool.stats().droppedResults()).as("the second read was the file's").isEqualTo(1);
    }

    @Test
    void whenTooBigTheOldestBatchesAreDroppedAndCounted() throws IOException {
        Spool probe = Spool.open(dir.resolve("measure"), 1 << 20, Duration.ofDays(7), Clock.systemUTC());
        long batchBytes = probe.stats().bytes() + Files.size(probe.directory().resolve(probe.append(results(10)) + ".jsonl"));
        Spool spool = Spool.open(dir.resolve("bounded"), batchBytes * 3 + batchBytes / 2, Duration.ofDays(7), Clock.systemUTC());
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(spool.append(results(10)));
        }
        assertThat(spool.batches()).extracting(Spool.Batch::id).containsExactlyElementsOf(ids.subList(2, 5));
        assertThat(spool.stats().droppedResults()).isEqualTo(20);
        assertThat(spool.stats().results()).isEqualTo(30);
        try (Stream<Path> s = Files.list(spool.directory())) {
            assertThat(s.count()).isEqualTo(3);
        }
    }

    @Test
    void batchesOlderThanTheAgeBoundAreDroppedAndCounted() throws IOException {
        MovableClock clock = new MovableClock();
        Spool spool = Spool.open(dir, 1 << 20, Duration.ofHours(1), clock);
        spool.append(results(4));
        clock.now = T0.plus(Duration.ofMinutes(40));
        String young = spool.append(results(2));
        clock.now = T0.plus(Duration.ofMinutes(61));
        spool.enforceBounds();
        assertThat(spool.batches()).extracting(Spool.Batch::id).containsExactly(young);
        assertThat(spool.stats().droppedResults()).isEqualTo(4);
    }
}
