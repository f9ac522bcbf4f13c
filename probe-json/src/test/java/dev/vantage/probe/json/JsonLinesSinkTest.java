package dev.vantage.probe.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {
    @TempDir
    Path dir;

    private static ProbeResult result(int i) {
        ProbeResult.Builder b = ProbeResult.builder().id("r-" + i).taskId("t").type("tcp").target("10.0.0." + i + ":80")
                .startedAt(Instant.ofEpochSecond(1_700_000_000L, i)).durationNanos(1_000_000L + i)
                .phaseNanos("connect", 900_000L + i).measurement("n", i)
                .samples("rttMs", Arrays.asList(0.5, null)).attribute("note", "line\nbreak é").label("region", "eu");
        if (i % 3 == 0) {
            b.error(ErrorKind.REFUSED, "connection refused");
        }
        return b.build();
    }

    private static List<ProbeResult> batch(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(JsonLinesSinkTest::result).toList();
    }

    @Test
    void writesOneParseableLinePerResultAcrossBatches() throws Exception {
        Path file = dir.resolve("results.jsonl");
        try (JsonLinesSink sink = JsonLinesSink.toFile(file)) {
            sink.export(batch(0, 1));
            sink.export(batch(1, 500)); // larger than the generator's buffer
            sink.export(batch(501, 3));
            // flushed after each batch: readable before close
            assertThat(Files.readAllLines(file)).hasSize(504);
        }

        String content = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(content).endsWith("}\n").doesNotContain("\n\n");
        assertThat(lines).hasSize(504);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).isEqualTo(ResultJson.toJson(result(i)));
            ProbeResult back = ResultJson.parse(lines.get(i));
            assertThat(back.id()).isEqualTo("r-" + i);
            assertThat(back.attributes()).containsEntry("note", "line\nbreak é");
            assertThat(back.error()).isEqualTo(result(i).error());
        }
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path file = dir.resolve("results.jsonl");
        Files.writeString(file, ResultJson.toJson(result(0)) + "\n");

        try (JsonLinesSink sink = JsonLinesSink.toFile(file)) {
            sink.export(batch(1, 2));
        }
        try (JsonLinesSink sink = JsonLinesSink.toFile(file)) {
            sink.export(batch(3, 1));
        }

        assertThat(Files.readAllLines(file)).extracting(l -> ResultJson.parse(l).id())
                .containsExactly("r-0", "r-1", "r-2", "r-3");
    }

    @Test
    void aStreamGivenByTheCallerIsFlushedButNotClosed() throws Exception {
        TrackingStream out = new TrackingStream();
        JsonLinesSink sink = JsonLinesSink.toStream(out);

        sink.export(batch(0, 2));
        sink.close();
        sink.close();

        assertThat(out.closed).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8).split("\n")).hasSize(2);
        assertThat(sink.name()).isEqualTo("jsonl");
        assertThatThrownBy(() -> sink.export(batch(2, 1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theSinkClosesTheFileItOpened() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc to see open files");
        Path file = dir.resolve("results.jsonl");
        JsonLinesSink sink = JsonLinesSink.toFile(file);
        sink.export(batch(0, 1));
        assertThat(openCount(fds, file)).isEqualTo(1);

        sink.close();

        assertThat(openCount(fds, file)).isZero();
    }

    private static long openCount(Path fds, Path file) throws IOException {
        try (var links = Files.list(fds)) {
            return links.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException e) {
                    return false; // the descriptor of the listing itself, already gone
                }
            }).count();
        }
    }

    @Test
    void aBatchCutShortByAWriteFailureDoesNotSpoilTheNextLines() throws Exception {
        TrackingStream out = new TrackingStream();
        out.failAfter = 3_000; // somewhere in the middle of a line
        JsonLinesSink sink = JsonLinesSink.toStream(out);

        assertThatThrownBy(() -> sink.export(batch(0, 100))).isInstanceOf(IOException.class);
        out.failAfter = Long.MAX_VALUE;
        sink.export(batch(100, 3));

        List<String> lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
        List<String> parsed = new ArrayList<>();
        for (String line : lines) {
            try {
                parsed.add(ResultJson.parse(line).id());
            } catch (IllegalArgumentException e) {
                parsed.add("broken");
            }
        }
        assertThat(parsed).endsWith("broken", "r-100", "r-101", "r-102");
        assertThat(parsed).filteredOn("broken"::equals).hasSize(1);
    }

    /** Records close() and can fail once a byte budget is used up, like a full disk. */
    private static final class TrackingStream extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long failAfter = Long.MAX_VALUE;
        boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int room = (int) Math.min(len, Math.max(0, failAfter - bytes.size()));
            bytes.write(b, off, room);
            if (room < len) {
                throw new IOException("no space left on device");
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        String toString(java.nio.charset.Charset cs) {
            return bytes.toString(cs);
        }
    }
}
