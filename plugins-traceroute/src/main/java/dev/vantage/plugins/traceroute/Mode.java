package dev.vantage.plugins.traceroute;

import java.util.Locale;

/** What the probes are: ICMP echo requests, UDP datagrams to a closed port, or TCP SYNs. */
enum Mode {
    ICMP, UDP, TCP;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
