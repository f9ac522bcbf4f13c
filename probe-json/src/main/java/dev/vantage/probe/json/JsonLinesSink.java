package dev.vantage.probe.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ResultSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

/**
 * Writes each result as one line of JSON ({@link ResultJson}), UTF-8, to a file or a stream; each batch is
 * written through a buffer and flushed when it is complete.
 *
 * <p><b>Ownership.</b> A sink made with {@link #toFile} opens the file and closes it on {@link #close()}. A sink
 * made with {@link #toStream} only flushes the stream on close: the caller owns it, so {@code System.out} stays
 * open. Thread-safe, though the engine calls it from one thread.
 */
public final class JsonLinesSink implements ResultSink {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET) // the sink decides when its stream closes
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT) // never "complete" a half-written result on failure
            .rootValueSeparator((String) null) // lines are separated by our own '\n'
            .build();

    private final OutputStream out;
    private final boolean ownsStream;
    private boolean previousBatchFailed;
    private boolean closed;

    private JsonLinesSink(OutputStream out, boolean ownsStream) {
        this.out = Objects.requireNonNull(out, "out");
        this.ownsStream = ownsStream;
    }

    /** Appends to {@code file}, creating it if needed (not its directory); the sink closes the file. */
    public static JsonLinesSink toFile(Path file) throws IOException {
        return new JsonLinesSink(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
    }

    /** Writes to {@code out}, which the caller keeps owning: {@link #close()} flushes it but does not close it. */
    public static JsonLinesSink toStream(OutputStream out) {
        return new JsonLinesSink(out, false);
    }

    @Override
    public String name() {
        return "jsonl";
    }

    @Override
    public synchronized void export(List<ProbeResult> batch) throws IOException {
        if (closed) {
            throw new IllegalStateException("the sink is closed");
        }
        if (previousBatchFailed) {
            out.write('\n'); // a failed batch may have left half a line: end it so the next lines parse
        }
        previousBatchFailed = true; // until this one completes
        // one generator per batch (its buffer is recycled), so a failure cannot leave it in a bad state for the next
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            for (ProbeResult r : batch) {
                ResultJson.write(r, g);
                g.writeRaw('\n');
            }
        }
        out.flush();
        previousBatchFailed = false;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsStream) {
            out.close();
        } else {
            out.flush();
        }
    }
}
