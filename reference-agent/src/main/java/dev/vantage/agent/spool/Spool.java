package dev.vantage.agent.spool;

import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's disk spool: each batch of results is one file {@code <dir>/<20-digit sequence>.jsonl} (one result JSON
 * per line), written under a temporary name, forced to disk and renamed, so a crash never leaves a half batch that
 * would later be sent. The file name without {@code .jsonl} is the batch id of the protocol; a batch is deleted
 * when the server acks it.
 *
 * <p>Bounded by total size and by age: when a new batch makes it too big, or a batch grows too old, the oldest
 * batches are deleted and their results counted as dropped.
 *
 * <p>Thread-safe: the engine's sink thread appends while the uplink thread reads and deletes. An in-memory index
 * (loaded from the directory at open) answers "what is spooled" without listing the directory each time, and the
 * results of batches written since the open stay in memory until first read (up to {@value #MAX_UNREAD_RESULTS}),
 * so the uplink sends a fresh batch without reading back and parsing the file just written.
 */
public final class Spool {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final String SUFFIX = ".jsonl";
    private static final String TEMP_SUFFIX = ".tmp";
    /** Results kept in memory for their first read; beyond that (the server away a while) they are read from disk. */
    static final int MAX_UNREAD_RESULTS = 10_000;

    /** One spooled batch. */
    public record Batch(String id, int results, long bytes, Instant writtenAt) {
    }

    /** What the spool holds now, and what it dropped since it was opened. */
    public record Stats(long results, long bytes, long droppedResults) {
    }

    private final Path dir;
    private final long maxBytes;
    private final Duration maxAge;
    private final Clock clock;
    private final ConcurrentSkipListMap<String, Batch> batches = new ConcurrentSkipListMap<>();
    private final AtomicLong sequence;
    private final AtomicLong dropped = new AtomicLong();
    private final Map<String, List<ProbeResult>> unread = new ConcurrentHashMap<>();
    private final AtomicInteger unreadResults = new AtomicInteger();
    private final Object writeLock = new Object();
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;
    private long unlogged; // guarded by writeLock
    private long lastLogNanos; // guarded by writeLock

    private Spool(Path dir, long maxBytes, Duration maxAge, Clock clock) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.clock = clock;
        Files.createDirectories(dir);
        long last = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(TEMP_SUFFIX)) {
                    Files.deleteIfExists(f); // a batch whose write a crash interrupted: never acknowledged by anyone
                } else if (name.endsWith(SUFFIX)) {
                    String id = name.substring(0, name.length() - SUFFIX.length());
                    batches.put(id, new Batch(id, lineCount(f), Files.size(f), Files.getLastModifiedTime(f).toInstant()));
                    last = Math.max(last, parseSequence(id));
                }
            }
        }
        // start from the wall clock in microseconds so batch ids stay unique across restarts even when the spool
        // was emptied in between (the server may remember old ids)
        long micros = clock.instant().getEpochSecond() * 1_000_000 + clock.instant().getNano() / 1_000;
        this.sequence = new AtomicLong(Math.max(last, micros));
    }

    /**
     * Opens (creating if needed) the spool in {@code dir}. Leftover temporary files are deleted.
     *
     * @param maxBytes the most the batches may take on disk together
     * @param maxAge   batches older than this are dropped
     */
    public static Spool open(Path dir, long maxBytes, Duration maxAge, Clock clock) throws IOException {
        if (maxBytes < 1 || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("spool bounds must be positive");
        }
        return new Spool(dir, maxBytes, maxAge, clock);
    }

    /**
     * Writes {@code results} as one new batch, then applies the bounds. Returns the batch id once the batch is on
     * disk (forced), so a caller may count the results as durable when this returns.
     */
    public String append(List<ProbeResult> results) throws IOException {
        StringBuilder text = new StringBuilder(results.size() * 512);
        for (ProbeResult r : results) {
            text.append(ResultJson.toJson(r)).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        String id = String.format("%020d", sequence.incrementAndGet());
        Path temp = dir.resolve(id + SUFFIX + TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(temp, file(id), StandardCopyOption.ATOMIC_MOVE);
        if (unreadResults.addAndGet(results.size()) <= MAX_UNREAD_RESULTS) {
            unread.put(id, List.copyOf(results));
        } else {
            unreadResults.addAndGet(-results.size());
        }
        synchronized (writeLock) {
            batches.put(id, new Batch(id, results.size(), bytes.length, clock.instant()));
            enforceBounds();
        }
        return id;
    }

    /** The spooled batches, oldest first. */
    public List<Batch> batches() {
        return List.copyOf(batches.values());
    }

    /** The first batch after {@code afterId} (oldest when null), or null. */
    public Batch next(String afterId) {
        Map.Entry<String, Batch> e = afterId == null ? batches.firstEntry() : batches.higherEntry(afterId);
        return e == null ? null : e.getValue();
    }

    /** Whether the batch is still spooled (not acked, not dropped). */
    public boolean contains(String id) {
        return batches.containsKey(id);
    }

    /** The results of a batch, as written, or an empty list if it is gone (dropped meanwhile). */
    public List<ProbeResult> read(String id) throws IOException {
        List<ProbeResult> fresh = forget(id);
        if (fresh != null) {
            return fresh;
        }
        List<ProbeResult> out = new ArrayList<>();
        int unreadable = 0;
        try (Stream<String> lines = Files.lines(file(id), StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines.filter(l -> !l.isBlank())::iterator) {
                try {
                    out.add(ResultJson.parse(line));
                } catch (IllegalArgumentException e) {
                    unreadable++; // damaged on disk: skip it rather than stall every later batch behind it
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        }
        if (unreadable > 0) {
            dropped.addAndGet(unreadable);
            LOG.warn("spool batch {}: {} unreadable results dropped", id, unreadable);
        }
        return out;
    }

    /** Deletes an acknowledged batch; false if it was not (or no longer) spooled. */
    public boolean delete(String id) {
        forget(id);
        if (batches.remove(id) == null) {
            return false;
        }
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spool file " + file(id), e);
        }
        return true;
    }

    /** Drops batches older than the age bound or beyond the size bound, oldest first, counting their results. */
    public void enforceBounds() {
        synchronized (writeLock) {
            Instant oldestAllowed = clock.instant().minus(maxAge);
            long bytes = batches.values().stream().mapToLong(Batch::bytes).sum();
            long droppedNow = 0;
            for (Batch b : batches.values()) {
                if (bytes <= maxBytes && !b.writtenAt().isBefore(oldestAllowed)) {
                    break;
                }
                if (delete(b.id())) {
                    bytes -= b.bytes();
                    droppedNow += b.results();
                }
            }
            if (droppedNow > 0) {
                dropped.addAndGet(droppedNow);
                unlogged += droppedNow;
                // a full spool drops on every write during a long outage: say so once a minute, with the count
                long now = System.nanoTime();
                if (lastLogNanos == 0 || now - lastLogNanos > LOG_EVERY_NANOS) {
                    LOG.warn("spool full ({} bytes, {}): dropped the {} oldest results ({} since start)", maxBytes,
                            Durations.format(maxAge), unlogged, dropped.get());
                    unlogged = 0;
                    lastLogNanos = now;
                }
            }
        }
    }

    /** Drops a batch's in-memory results, returning them (null if they were not kept or already read). */
    private List<ProbeResult> forget(String id) {
        List<ProbeResult> results = unread.remove(id);
        if (results != null) {
            unreadResults.addAndGet(-results.size());
        }
        return results;
    }

    public Stats stats() {
        long results = 0;
        long bytes = 0;
        for (Batch b : batches.values()) {
            results += b.results();
            bytes += b.bytes();
        }
        return new Stats(results, bytes, dropped.get());
    }

    public Path directory() {
        return dir;
    }

    private Path file(String id) {
        return dir.resolve(id + SUFFIX);
    }

    private static long parseSequence(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return 0; // not one of ours; it still sorts and is sent like any batch
        }
    }

    private static int lineCount(Path f) throws IOException {
        try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
            return (int) lines.filter(l -> !l.isBlank()).count();
        }
    }
}
