package dev.vantage.server.alerting.evaluation;

import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.alerting.rules.Condition;
import dev.vantage.server.alerting.rules.Metric;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * One condition's view of one series of results (one agent's, or all agents' merged): it keeps only what its
 * condition needs (a streak, or the window's entries) and judges on demand. Not thread-safe: the owning
 * {@link AlertInstance} serializes calls.
 */
public sealed interface SeriesJudge {

    /** Takes one result that arrived at {@code at}. */
    void add(ProbeResult r, Instant at);

    /** The verdict at {@code now}: window conditions first drop what is older than their window. */
    Verdict verdict(Instant now);

    /**
     * What the latest verdict was based on, for people: "5 failures in a row", "p95 phase.connect 312 ms". Made only
     * when asked (when people are told), not with every verdict.
     */
    Summary summary();

    static SeriesJudge of(Condition condition) {
        return switch (condition) {
            case Condition.ConsecutiveFailures c -> new Streak(c);
            case Condition.Availability c -> new Availability(c);
            case Condition.Latency c -> new Latency(c);
            case Condition.PacketLoss c -> new Loss(c);
            case Condition.CertificateExpiry c -> new Certificate(c);
            case Condition.AssertionFailure c -> new Assertions();
        };
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    /** Three significant digits at most, no trailing zeros: 312, 99, 3.5, 0.0404. */
    private static String number(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static String window(Duration d) {
        return d.toMinutes() > 0 && d.toSecondsPart() == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    /** Failures in a row. */
    final class Streak implements SeriesJudge {
        private final Condition.ConsecutiveFailures condition;
        private int failures;
        private boolean seen;

        Streak(Condition.ConsecutiveFailures condition) {
            this.condition = condition;
        }

        @Override
        public void add(ProbeResult r, Instant at) {
            seen = true;
            failures = r.status() == ProbeStatus.SUCCESS ? 0 : failures + 1;
        }

        @Override
        public Verdict verdict(Instant now) {
            return !seen ? Verdict.UNKNOWN : failures >= condition.count() ? Verdict.BAD : Verdict.GOOD;
        }

        @Override
        public Summary summary() {
            return Summary.of(failures == 1 ? "streak.one" : "streak", failures, condition.count());
        }
    }

    /** Successes over all results in the window. */
    final class Availability implements SeriesJudge {
        private final Condition.Availability condition;
        private final Window entries; // 1 for a success, 0 for a failure
        private int ok;

        Availability(Condition.Availability condition) {
            this.condition = condition;
            this.entries = new Window(condition.window());
        }

        @Override
        public void add(ProbeResult r, Instant at) {
            boolean success = r.status() == ProbeStatus.SUCCESS;
            entries.add(at, success ? 1 : 0, 0);
            ok += success ? 1 : 0;
        }

        @Override
        public Verdict verdict(Instant now) {
            while (entries.stale(now)) {
                ok -= (int) entries.oldestA();
                entries.evict();
            }
            if (entries.isEmpty()) {
                return Verdict.UNKNOWN;
            }
            return (double) ok / entries.size() * 100 < condition.minPercent() ? Verdict.BAD : Verdict.GOOD;
        }

        @Override
        public Summary summary() {
            if (entries.isEmpty()) {
                return Summary.of("availability.none", window(condition.window()));
            }
            return Summary.of("availability", percent((double) ok / entries.size()), entries.size(),
                    window(condition.window()), number(condition.minPercent()));
        }
    }

    /**
     * A percentile of a latency metric of the successful results in the window. The verdict counts the values above
     * the threshold instead of finding the percentile: the nearest-rank percentile is above {@code maxMs} exactly when
     * fewer values than its rank are at or below it, so judging costs nothing per result; the percentile itself is
     * found only for the summary, when people are told.
     */
    final class Latency implements SeriesJudge {
        private final Condition.Latency condition;
        private final Window entries; // the metric in ms
        private int above;

        Latency(Condition.Latency condition) {
            this.condition = condition;
            this.entries = new Window(condition.window());
        }

        @Override
        public void add(ProbeResult r, Instant at) {
            Double ms = r.status() == ProbeStatus.SUCCESS ? condition.metric().valueIn(r) : null;
            if (ms != null) {
                entries.add(at, ms, 0);
                above += ms > condition.maxMs() ? 1 : 0;
            }
        }

        @Override
        public Verdict verdict(Instant now) {
            while (entries.stale(now)) {
                above -= entries.oldestA() > condition.maxMs() ? 1 : 0;
                entries.evict();
            }
            if (entries.isEmpty()) {
                return Verdict.UNKNOWN;
            }
            return above > entries.size() - rank(condition.percentile(), entries.size()) ? Verdict.BAD : Verdict.GOOD;
        }

        /**
         * The 1-based rank in {@code n} sorted values of the nearest-rank percentile, exactly as Commons Math's
         * {@code Percentile} with {@code R_1} computes it (the summary's figure): {@code ceil(n·p)}, in its arithmetic.
         */
        static int rank(double percentile, int n) {
            double pos = Math.ceil(n * (percentile / 100) + 0.5 - 0.5);
            return (int) Math.max(1, Math.min(n, pos));
        }

        @Override
        public Summary summary() {
            Metric metric = condition.metric();
            if (entries.isEmpty()) {
                return Summary.of("latency.none", metric, window(condition.window()));
            }
            // nearest rank: a value that was really seen, as p99 of 100 values is the worst but one
            double p = new Percentile().withEstimationType(Percentile.EstimationType.R_1)
                    .evaluate(entries.firsts(), condition.percentile());
            return Summary.of("latency", number(condition.percentile()), metric, number(p), entries.size(),
                    window(condition.window()), number(condition.maxMs()));
        }
    }

    /** Packets sent and lost in the window, judged by the Wilson interval. */
    final class Loss implements SeriesJudge {
        private final Condition.PacketLoss condition;
        private final Window entries; // packets sent, packets lost
        private long sent;
        private long lost;

        Loss(Condition.PacketLoss condition) {
            this.condition = condition;
            this.entries = new Window(condition.window());
        }

        @Override
        public void add(ProbeResult r, Instant at) {
            Double s = r.measurements().get("sent");
            Double rcv = r.measurements().get("received");
            if (s == null || rcv == null || s.isNaN() || rcv.isNaN() || s < 1) {
                return; // not a packet probe, or nothing sent: says nothing about loss
            }
            long entrySent = Math.round(s);
            long entryLost = Math.max(0, entrySent - Math.round(rcv));
            entries.add(at, entrySent, entryLost);
            sent += entrySent;
            lost += entryLost;
        }

        @Override
        public Verdict verdict(Instant now) {
            while (entries.stale(now)) {
                sent -= (long) entries.oldestA();
                lost -= (long) entries.oldestB();
                entries.evict();
            }
            if (sent == 0) {
                return Verdict.UNKNOWN;
            }
            Wilson w = Wilson.of(lost, sent, condition.confidence());
            double threshold = condition.maxPercent() / 100;
            return w.lower() > threshold ? Verdict.BAD : w.upper() < threshold ? Verdict.GOOD : Verdict.UNKNOWN;
        }

        @Override
        public Summary summary() {
            if (sent == 0) {
                return Summary.of("loss.none", window(condition.window()));
            }
            Wilson w = Wilson.of(lost, sent, condition.confidence());
            return Summary.of("loss", percent((double) lost / sent), lost, sent, number(condition.confidence() * 100),
                    percent(w.lower()), percent(w.upper()), window(condition.window()), number(condition.maxPercent()));
        }
    }

    /** The latest certificate's days left. */
    final class Certificate implements SeriesJudge {
        private final Condition.CertificateExpiry condition;
        private Double days;

        Certificate(Condition.CertificateExpiry condition) {
            this.condition = condition;
        }

        @Override
        public void add(ProbeResult r, Instant at) {
            Double d = r.measurements().get("certDaysRemaining");
            if (d != null && !d.isNaN()) {
                days = d;
            }
        }

        @Override
        public Verdict verdict(Instant now) {
            return days == null ? Verdict.UNKNOWN : days < condition.minDays() ? Verdict.BAD : Verdict.GOOD;
        }

        @Override
        public Summary summary() {
            return days == null ? Summary.of("certificate.none")
                    : days < 0 ? Summary.of("certificate.expired", number(-days), number(condition.minDays()))
                    : Summary.of("certificate.expires", number(days), number(condition.minDays()));
        }
    }

    /** The latest result's assertions. */
    final class Assertions implements SeriesJudge {
        private Verdict verdict = Verdict.UNKNOWN;
        private Summary summary = Summary.of("results.none");

        @Override
        public void add(ProbeResult r, Instant at) {
            AssertionOutcome failed = r.assertions().stream().filter(a -> !a.passed()).findFirst().orElse(null);
            if (failed != null || (r.error() != null && r.error().kind() == ErrorKind.ASSERTION)) {
                verdict = Verdict.BAD;
                summary = failed == null ? Summary.of("assertion.failed")
                        : Summary.of("assertion.failedOne", failed.assertion(), failed.actual());
            } else if (r.status() == ProbeStatus.SUCCESS) {
                verdict = Verdict.GOOD;
                summary = Summary.of("assertion.passed");
            } else {
                // the probe itself failed before its assertions could be judged: another rule's business
                verdict = Verdict.UNKNOWN;
                summary = Summary.of("assertion.notJudged", r.status());
            }
        }

        @Override
        public Verdict verdict(Instant now) {
            return verdict;
        }

        @Override
        public Summary summary() {
            return summary;
        }
    }
}
