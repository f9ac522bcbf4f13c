package dev.vantage.plugins.icmp;

/**
 * Summary of the round-trip times of one attempt, in milliseconds, with iputils ping's definitions.
 *
 * @param mdevMs   population standard deviation, iputils' {@code sqrt(mean(rtt^2) - mean(rtt)^2)}
 * @param jitterMs mean absolute difference between consecutive received RTTs (lost packets skipped, as in
 *                 RFC 3550's idea of jitter but without its smoothing); 0 with a single reply
 */
record RttStats(double minMs, double avgMs, double maxMs, double mdevMs, double jitterMs) {

    /** @param rttNanos the first {@code n} entries are the RTTs of the received replies, in send order; n > 0 */
    static RttStats of(long[] rttNanos, int n) {
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        double jitterSum = 0;
        for (int i = 0; i < n; i++) {
            double rtt = rttNanos[i] / 1e6;
            min = Math.min(min, rtt);
            max = Math.max(max, rtt);
            sum += rtt;
            if (i > 0) {
                jitterSum += Math.abs(rtt - rttNanos[i - 1] / 1e6);
            }
        }
        double avg = sum / n;
        // Same value as iputils' formula, computed from deviations so that it cannot cancel to a negative number.
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double d = rttNanos[i] / 1e6 - avg;
            squares += d * d;
        }
        return new RttStats(min, avg, max, Math.sqrt(squares / n), n > 1 ? jitterSum / (n - 1) : 0);
    }
}
