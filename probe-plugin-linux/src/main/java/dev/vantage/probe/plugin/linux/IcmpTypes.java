package dev.vantage.probe.plugin.linux;

/** ICMP (RFC 792) and ICMPv6 (RFC 4443) message types the probes send and read, and readable names for errors. */
public final class IcmpTypes {
    public static final int ECHO_REPLY_V4 = 0;
    public static final int UNREACHABLE_V4 = 3;
    public static final int ECHO_REQUEST_V4 = 8;
    public static final int TIME_EXCEEDED_V4 = 11;
    public static final int UNREACHABLE_V6 = 1;
    public static final int TIME_EXCEEDED_V6 = 3;
    public static final int ECHO_REQUEST_V6 = 128;
    public static final int ECHO_REPLY_V6 = 129;

    private static final String[] UNREACHABLE_V4_CODES = {
        "network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
        "fragmentation needed", "source route failed", "destination network unknown", "destination host unknown",
        "source host isolated", "network prohibited", "host prohibited", "network unreachable for TOS",
        "host unreachable for TOS", "communication administratively prohibited", "host precedence violation",
        "precedence cutoff in effect"};
    private static final String[] UNREACHABLE_V6_CODES = {
        "no route to destination", "communication administratively prohibited", "beyond scope of source address",
        "address unreachable", "port unreachable", "source address failed policy", "reject route to destination"};
    private static final String[] TIME_EXCEEDED_CODES = {"time to live exceeded", "fragment reassembly time exceeded"};
    private static final String[] HOP_LIMIT_CODES = {"hop limit exceeded", "fragment reassembly time exceeded"};

    private IcmpTypes() {
    }

    public static boolean isTimeExceeded(boolean v6, int type) {
        return type == (v6 ? TIME_EXCEEDED_V6 : TIME_EXCEEDED_V4);
    }

    public static boolean isUnreachable(boolean v6, int type) {
        return type == (v6 ? UNREACHABLE_V6 : UNREACHABLE_V4);
    }

    /**
     * A readable name for a destination-unreachable or time-exceeded error, e.g.
     * {@code host unreachable (ICMP type 3 code 1)}.
     */
    public static String describeError(boolean v6, int type, int code) {
        boolean timeExceeded = isTimeExceeded(v6, type);
        String[] names = timeExceeded ? (v6 ? HOP_LIMIT_CODES : TIME_EXCEEDED_CODES)
                : (v6 ? UNREACHABLE_V6_CODES : UNREACHABLE_V4_CODES);
        String name = code < names.length ? names[code] : timeExceeded ? "time exceeded" : "destination unreachable";
        return name + " (" + (v6 ? "ICMPv6" : "ICMP") + " type " + type + " code " + code + ")";
    }
}
