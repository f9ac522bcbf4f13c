package dev.vantage.probe.plugin.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IcmpTypesTest {

    @Test
    void describesErrorsByTypeAndCode() {
        assertThat(IcmpTypes.describeError(false, 3, 1)).isEqualTo("host unreachable (ICMP type 3 code 1)");
        assertThat(IcmpTypes.describeError(false, 11, 0)).isEqualTo("time to live exceeded (ICMP type 11 code 0)");
        assertThat(IcmpTypes.describeError(true, 1, 3)).isEqualTo("address unreachable (ICMPv6 type 1 code 3)");
        assertThat(IcmpTypes.describeError(true, 3, 0)).isEqualTo("hop limit exceeded (ICMPv6 type 3 code 0)");
        assertThat(IcmpTypes.describeError(false, 3, 99)).isEqualTo("destination unreachable (ICMP type 3 code 99)");
        assertThat(IcmpTypes.describeError(false, 3, 13))
                .isEqualTo("communication administratively prohibited (ICMP type 3 code 13)");
    }
}
