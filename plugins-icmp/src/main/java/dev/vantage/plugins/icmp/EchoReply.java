package dev.vantage.plugins.icmp;

/**
 * What came back for one echo request: an echo reply with its receive times, or an ICMP error.
 *
 * @param rxRealtimeNanos kernel receive time (CLOCK_REALTIME), or 0 if the kernel gave none
 * @param rxNanoTime      {@link System#nanoTime()} when the receiving thread read the reply
 * @param error           for an ICMP error, e.g. {@code host unreachable (ICMP type 3 code 1) from 10.0.0.1}; else null
 */
record EchoReply(long rxRealtimeNanos, long rxNanoTime, String error) {

    boolean kernelTimestamp() {
        return rxRealtimeNanos != 0;
    }
}
