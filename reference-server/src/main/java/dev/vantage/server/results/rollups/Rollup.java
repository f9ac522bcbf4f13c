package dev.vantage.server.results.rollups;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a set of results adds up to: counts by status and error kind, the exact minimum, maximum and sum of the latency
 * of the successful results, the loss, and a DDSketch per latency measure. Two rollups {@link #merge} into the rollup
 * of both sets, so a month is the merge of its days and "all agents" the merge of each agent's.
 *
 * <p>Percentiles come from the sketches: a value returned for quantile q lies within {@link #RELATIVE_ACCURACY} (1 %)
 * of the result at rank {@code floor(q * (count - 1))} of the sorted values, however many rollups were merged. Sketches
 * are kept of the successful results only (a timeout's duration is the timeout, not a latency): {@link #LATENCY}, and
 * {@code phase.<name>} for each phase a result reports.
 *
 * <p>Sketches read from the database stay encoded until one is needed, and are then decoded straight into the
 * merged sketch: a report that merges thousands of stored rollups and reads only the latency decodes nothing else,
 * and allocates no sketch per row.
 *
 * <p>Mutable and not thread-safe: made, filled and read by one thread.
 */
public final class Rollup {
    /** The sketches' relative error bound. */
    public static final double RELATIVE_ACCURACY = 0.01;
    /** The sketch of the latency the aggregates report: the mean round trip (ICMP, UDP), else the duration. */
    public static final String LATENCY = "latency";
    private static final int FORMAT = 1; // first byte of the encoded sketches, so the layout can change later

    /** One result, as a rollup counts it. */
    public record Sample(String status, String errorKind, double latencyMs, Double lossPercent,
                         Map<String, Double> phasesMs) {
        public Sample {
            phasesMs = Map.copyOf(phasesMs);
        }
    }

    private long total;
    private long successes;
    private long failures;
    private long timeouts;
    private long errors;
    private final TreeMap<String, Long> errorKinds = new TreeMap<>();
    private double latencyMin = Double.POSITIVE_INFINITY;
    private double latencyMax = Double.NEGATIVE_INFINITY;
    private double latencySum;
    private double lossSum;
    private long lossCount;
    private final TreeMap<String, DDSketch> sketches = new TreeMap<>();
    /** Encoded sketches not decoded yet, by name: each is merged into {@link #sketches} when that one is read. */
    private final TreeMap<String, List<Encoded>> encoded = new TreeMap<>();

    /** One sketch in DDSketch's encoding, a part of an array that is never written to. */
    private record Encoded(byte[] bytes, int offset, int length) {
    }

    public Rollup add(Sample s) {
        total++;
        switch (s.status()) {
            case "SUCCESS" -> successes++;
            case "FAILURE" -> failures++;
            case "TIMEOUT" -> timeouts++;
            default -> errors++;
        }
        if (s.errorKind() != null) {
            errorKinds.merge(s.errorKind(), 1L, Long::sum);
        }
        if (s.lossPercent() != null) {
            lossSum += s.lossPercent();
            lossCount++;
        }
        if ("SUCCESS".equals(s.status())) {
            latencyMin = Math.min(latencyMin, s.latencyMs());
            latencyMax = Math.max(latencyMax, s.latencyMs());
            latencySum += s.latencyMs();
            accept(LATENCY, s.latencyMs());
            s.phasesMs().forEach((name, ms) -> accept("phase." + name, ms));
        }
        return this;
    }

    private void accept(String sketch, double value) {
        if (Double.isFinite(value) && value >= 0) {
            sketches.computeIfAbsent(sketch, k -> newSketch()).accept(value);
        }
    }

    /** Adds {@code other}'s counts and sketches to this one's. */
    public Rollup merge(Rollup other) {
        total += other.total;
        successes += other.successes;
        failures += other.failures;
        timeouts += other.timeouts;
        errors += other.errors;
        other.errorKinds.forEach((k, n) -> errorKinds.merge(k, n, Long::sum));
        latencyMin = Math.min(latencyMin, other.latencyMin);
        latencyMax = Math.max(latencyMax, other.latencyMax);
        latencySum += other.latencySum;
        lossSum += other.lossSum;
        lossCount += other.lossCount;
        other.sketches.forEach((name, s) -> sketches.computeIfAbsent(name, k -> newSketch()).mergeWith(s));
        other.encoded.forEach((name, parts) -> encoded.computeIfAbsent(name, k -> new ArrayList<>()).addAll(parts));
        return this;
    }

    /** The sketch of {@code name} with whatever of it is still encoded merged in; {@code null} if there is none. */
    private DDSketch sketch(String name) {
        List<Encoded> parts = encoded.remove(name);
        if (parts != null) {
            DDSketch s = sketches.computeIfAbsent(name, k -> newSketch());
            try {
                for (Encoded e : parts) {
                    s.decodeAndMergeWith(ByteArrayInput.wrap(e.bytes(), e.offset(), e.length()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sketches.get(name);
    }

    private static DDSketch newSketch() {
        return DDSketches.unboundedDense(RELATIVE_ACCURACY);
    }

    public long total() {
        return total;
    }

    public long successes() {
        return successes;
    }

    public long failures() {
        return failures;
    }

    public long timeouts() {
        return timeouts;
    }

    public long errors() {
        return errors;
    }

    /** Results per error kind. */
    public Map<String, Long> errorKinds() {
        return Map.copyOf(errorKinds);
    }

    /** The smallest latency of a successful result, or {@code null} if none succeeded. */
    public Double latencyMin() {
        return successes == 0 ? null : latencyMin;
    }

    public Double latencyMax() {
        return successes == 0 ? null : latencyMax;
    }

    public double latencySum() {
        return latencySum;
    }

    public double lossSum() {
        return lossSum;
    }

    public long lossCount() {
        return lossCount;
    }

    /** The names of the sketches held ({@link #LATENCY}, {@code phase.connect}, ...). */
    public java.util.Set<String> sketchNames() {
        java.util.Set<String> names = new java.util.TreeSet<>(sketches.keySet());
        names.addAll(encoded.keySet());
        return java.util.Collections.unmodifiableSet(names);
    }

    /** The {@code q} quantile (0..1) of a sketch, within {@link #RELATIVE_ACCURACY}; {@code null} if it is empty. */
    public Double quantile(String sketch, double q) {
        DDSketch s = sketch(sketch);
        return s == null || s.isEmpty() ? null : s.getValueAtQuantile(q);
    }

    /**
     * How many successful results' latencies fall in each band {@code [edges[i], edges[i + 1])}: the {@link #LATENCY}
     * sketch's bins, each counted whole in the band of its value (within {@link #RELATIVE_ACCURACY} of every latency
     * in it, so a result lands in a neighbouring band only when it lies that close to an edge). Bins below the first
     * edge count in the first band, bins from the last edge on in the last.
     */
    public long[] latencyBands(double[] edges) {
        long[] bands = new long[edges.length - 1];
        DDSketch s = sketch(LATENCY);
        if (s == null || s.isEmpty()) {
            return bands;
        }
        double zeros = s.getCount() - s.getPositiveValueStore().getTotalCount(); // latencies of 0: no log bin
        bands[0] += Math.round(zeros);
        s.getPositiveValueStore().forEach((index, count) -> {
            int at = java.util.Arrays.binarySearch(edges, s.getIndexMapping().value(index));
            int band = at >= 0 ? at : -at - 2; // the edge at or below the value
            bands[Math.clamp(band, 0, bands.length - 1)] += Math.round(count);
        });
        return bands;
    }

    /** The sketches as bytes: a format byte, then per sketch its name and DDSketch's own encoding. */
    public byte[] encodeSketches() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            List.copyOf(encoded.keySet()).forEach(this::sketch);
            out.writeByte(FORMAT);
            out.writeShort(sketches.size());
            for (Map.Entry<String, DDSketch> e : sketches.entrySet()) {
                GrowingByteArrayOutput sketch = GrowingByteArrayOutput.withDefaultInitialCapacity();
                e.getValue().encode(sketch, false); // with its index mapping: readable even if the accuracy changes
                out.writeUTF(e.getKey());
                out.writeInt(sketch.numWrittenBytes());
                out.write(sketch.backingArray(), 0, sketch.numWrittenBytes());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Takes what {@link #encodeSketches} wrote into this rollup, to be merged in when read ({@link #sketch}). */
    void decodeSketches(byte[] bytes) {
        try {
            ByteArrayInputStream at = new ByteArrayInputStream(bytes);
            DataInputStream in = new DataInputStream(at);
            int format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalStateException("rollup sketches in an unknown format " + format);
            }
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                int length = in.readInt();
                int offset = bytes.length - at.available();
                if (in.skipBytes(length) != length) {
                    throw new IOException("rollup sketch " + name + " cut short");
                }
                encoded.computeIfAbsent(name, k -> new ArrayList<>()).add(new Encoded(bytes, offset, length));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A rollup as stored: the columns of {@code result_rollups}. */
    static Rollup of(long total, long successes, long failures, long timeouts, long errors, Map<String, Long> errorKinds,
                     Double latencyMin, Double latencyMax, double latencySum, double lossSum, long lossCount,
                     byte[] sketches) {
        Rollup r = new Rollup();
        r.total = total;
        r.successes = successes;
        r.failures = failures;
        r.timeouts = timeouts;
        r.errors = errors;
        r.errorKinds.putAll(errorKinds);
        r.latencyMin = latencyMin == null ? Double.POSITIVE_INFINITY : latencyMin;
        r.latencyMax = latencyMax == null ? Double.NEGATIVE_INFINITY : latencyMax;
        r.latencySum = latencySum;
        r.lossSum = lossSum;
        r.lossCount = lossCount;
        r.decodeSketches(sketches);
        return r;
    }
}
