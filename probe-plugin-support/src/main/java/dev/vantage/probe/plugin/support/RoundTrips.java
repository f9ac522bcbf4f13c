package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The packets of one attempt of a packet-based probe (ping, UDP echo, ...) and what became of each, summarised
 * under <b>the</b> standard names, so that every such plugin, third-party ones included, reports loss and round
 * trips alike and the same assertions and dashboards work for all of them. {@link #record(ProbeResult.Builder)}
 * writes:
 * <ul>
 *   <li>measurements {@code sent}, {@code received} (counts) and {@code lossPercent} (100 when nothing was sent);</li>
 *   <li>measurements {@code rttMinMs}, {@code rttAvgMs}, {@code rttMaxMs}, {@code rttMdevMs} (population standard
 *       deviation, iputils ping's {@code mdev}) and {@code jitterMs} (mean absolute difference between the round
 *       trips of consecutive received packets, lost ones skipped; 0 with a single reply), only if any packet came
 *       back;</li>
 *   <li>samples {@code rttMs}: one entry per packet sent, in send order, {@code null} for a lost packet.</li>
 * </ul>
 * Add one outcome per packet sent, in send order, then record. Mutable and not thread-safe: fill it on one thread.
 *
 * @since 0.1
 */
public final class RoundTrips {
    private static final long LOST = -1;

    private long[] rttNanos;
    private int sent;
    private int received;

    private RoundTrips(int expected) {
        rttNanos = new long[Math.max(1, expected)];
    }

    /**
     * The creation-time check of a packet-based probe's spacing: {@code count} packets {@code interval} apart must
     * all leave before the attempt's deadline ({@link ProbeConfig#budget()}), else the last ones would silently not
     * be sent. Adds a problem under {@code interval} if they do not.
     */
    public static void checkSpacing(long count, Duration interval, ProbeConfig config, List<ConfigProblem> problems) {
        Duration span = interval.multipliedBy(Math.max(0, count - 1));
        if (span.compareTo(config.budget()) >= 0) {
            problems.add(ProblemTexts.SUPPORT.problem("interval", "support.spacing", count, interval.toMillis(),
                    span.toMillis(), config.budget().toMillis(), config.timeout().toMillis()));
        }
    }

    /**
     * An empty record sized for {@code expected} packets (more may be added).
     *
     * @since 0.1
     */
    public static RoundTrips create(int expected) {
        return new RoundTrips(expected);
    }

    /**
     * The next packet came back after {@code rttNanos} (a {@link System#nanoTime()} difference or a kernel
     * timestamp difference; negative values count as 0).
     *
     * @return this
     * @since 0.1
     */
    public RoundTrips received(long rttNanos) {
        add(Math.max(0, rttNanos));
        received++;
        return this;
    }

    /**
     * The next packet was sent but never answered (or was answered with an error).
     *
     * @return this
     * @since 0.1
     */
    public RoundTrips lost() {
        add(LOST);
        return this;
    }

    /**
     * Packets added so far.
     *
     * @since 0.1
     */
    public int sent() {
        return sent;
    }

    /**
     * Packets that came back.
     *
     * @since 0.1
     */
    public int received() {
        return received;
    }

    private void add(long value) {
        if (sent == rttNanos.length) {
            rttNanos = Arrays.copyOf(rttNanos, sent * 2);
        }
        rttNanos[sent++] = value;
    }

    /**
     * Writes the measurements and samples listed above to {@code result}.
     *
     * @return {@code result}
     * @since 0.1
     */
    public ProbeResult.Builder record(ProbeResult.Builder result) {
        List<Double> samples = new ArrayList<>(sent);
        for (int i = 0; i < sent; i++) {
            samples.add(rttNanos[i] == LOST ? null : rttNanos[i] / 1e6);
        }
        double[] s = summary();
        result.measurement("sent", sent)
                .measurement("received", received)
                .measurement("lossPercent", s[0])
                .samples("rttMs", samples);
        if (received == 0) {
            return result;
        }
        return result.measurement("rttMinMs", s[1])
                .measurement("rttAvgMs", s[2])
                .measurement("rttMaxMs", s[3])
                .measurement("rttMdevMs", s[4])
                .measurement("jitterMs", s[5]);
    }

    /**
     * Appends the same figures as {@link #record} (without the samples) as members of a JSON object, for a
     * structured attribute: {@code "sent":3,"received":2,"lossPercent":33.333333,"rttMinMs":...}; milliseconds with
     * up to 6 decimals, the round-trip members only if any packet came back.
     *
     * @return {@code out}
     * @since 0.1
     */
    public StringBuilder appendJson(StringBuilder out) {
        double[] s = summary();
        out.append("\"sent\":").append(sent).append(",\"received\":").append(received);
        number(out, "lossPercent", s[0]);
        if (received > 0) {
            String[] names = {"rttMinMs", "rttAvgMs", "rttMaxMs", "rttMdevMs", "jitterMs"};
            for (int i = 0; i < names.length; i++) {
                number(out, names[i], s[i + 1]);
            }
        }
        return out;
    }

    private static void number(StringBuilder out, String name, double value) {
        out.append(",\"").append(name).append("\":")
                .append(java.math.BigDecimal.valueOf(Math.round(value * 1e6), 6).stripTrailingZeros().toPlainString());
    }

    /** Loss percent, then (if any came back) min, avg, max, mdev and jitter in milliseconds. */
    private double[] summary() {
        double[] s = new double[6];
        s[0] = sent == 0 ? 100 : 100.0 * (sent - received) / sent;
        if (received == 0) {
            return s;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        long sum = 0; // nanoseconds: exact, and 2^63 ns is centuries
        double jitterSum = 0;
        long previous = LOST;
        for (int i = 0; i < sent; i++) {
            long rtt = rttNanos[i];
            if (rtt != LOST) {
                min = Math.min(min, rtt);
                max = Math.max(max, rtt);
                sum += rtt;
                if (previous != LOST) {
                    jitterSum += Math.abs(rtt - previous);
                }
                previous = rtt;
            }
        }
        double avg = (double) sum / received;
        // iputils computes sqrt(mean(rtt²) - mean(rtt)²); from deviations it cannot cancel to a negative number
        double squares = 0;
        for (int i = 0; i < sent; i++) {
            if (rttNanos[i] != LOST) {
                double d = rttNanos[i] - avg;
                squares += d * d;
            }
        }
        s[1] = min / 1e6;
        s[2] = avg / 1e6;
        s[3] = max / 1e6;
        s[4] = Math.sqrt(squares / received) / 1e6;
        s[5] = received > 1 ? jitterSum / (received - 1) / 1e6 : 0;
        return s;
    }
}
