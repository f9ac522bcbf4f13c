package dev.vantage.probe.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void denyWinsOverAllowAndAnEmptyAllowListAllowsTheRest() throws Exception {
        AddressPolicy p = AddressPolicy.builder().deny("169.254.0.0/16").deny("fe80::/10").build();
        assertThat(p.check(at("127.0.0.1", 80))).isEmpty();
        assertThat(p.check(at("169.254.169.254", 80))).hasValueSatisfying(r -> assertThat(r).contains("169.254.0.0/16"));
        assertThat(p.check(at("fe80::1", 80))).isPresent();
        // an IPv4-mapped IPv6 address is judged as the IPv4 address it carries
        assertThat(p.check(at("::ffff:169.254.169.254", 80))).isPresent();
        AddressPolicy only = AddressPolicy.builder().allow("127.0.0.0/8").deny("127.0.0.9").build();
        assertThat(only.check(at("127.0.0.2", 80))).isEmpty();
        assertThat(only.check(at("127.0.0.9", 80))).isPresent();
        assertThat(only.check(at("10.0.0.1", 80))).hasValueSatisfying(r -> assertThat(r).contains("outside the allowed"));
    }

    @Test
    void ambiguousNumericHostsAreToldApartFromPlainOnes() {
        // parsing only: none of these is ever contacted
        for (String h : new String[] {"0177.0.0.1", "127.1", "0x7f.1", "0x7f.0.0.1", "2130706433", "127.0.0.1.",
                "127.0.0.01", "0", "1.2.3.4.5", "foo.0x10", "example.123",
                // the IPv4 part of IPv4-mapped and -compatible IPv6 literals (the JDK reads ::ffff:177.0.0.1)
                "::ffff:0177.0.0.1", "[::ffff:0177.0.0.1]", "::0177.0.0.1", "::ffff:127.1", "::ffff:0x7f.0.0.1",
                "0:0:0:0:0:ffff:127.0.0.01", "::ffff:0177.0.0.1%lo"}) {
            assertThat(AddressPolicy.isAmbiguousHost(h)).as(h).isTrue();
        }
        for (String h : new String[] {"127.0.0.1", "192.0.2.10", "0.0.0.0", "::1", "::ffff:127.0.0.1", "localhost",
                "example.com", "a1.example", "0xcafe.example", "[::ffff:127.0.0.1]", "::127.0.0.1",
                "::ffff:7f00:1", "fe80::1%lo", "2001:db8::10"}) {
            assertThat(AddressPolicy.isAmbiguousHost(h)).as(h).isFalse();
        }
    }

    @Test
    void rangesMustBePlainDottedQuadsOrIpv6() {
        for (String cidr : new String[] {"0177.0.0.0/8", "127.1/32", "0x7f.0.0.0/8", "2130706433/32", "010.0.0.0/8",
                "::ffff:0177.0.0.0/104", "::ffff:0177.0.0.1"}) {
            assertThatThrownBy(() -> AddressPolicy.builder().deny(cidr)).as(cidr).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> AddressPolicy.builder().allow(cidr)).as(cidr).isInstanceOf(IllegalArgumentException.class);
        }
        AddressPolicy.builder().deny("127.0.0.0/8").deny("10.0.0.0/8").allow("fd00::/8").deny("::ffff:127.0.0.1").build();
    }

    @Test
    void portsCanBeDeniedEverywhereOrOnOneRangeOnly() throws Exception {
        AddressPolicy p = AddressPolicy.builder().denyPorts(25, 25).denyPorts("127.0.0.0/8", 8080, 8081).build();
        assertThat(p.check(at("10.0.0.1", 25))).isPresent();
        assertThat(p.check(at("127.0.0.1", 8080))).hasValueSatisfying(r -> assertThat(r).contains("127.0.0.0/8"));
        assertThat(p.check(at("127.0.0.1", 8081))).isPresent();
        assertThat(p.check(at("127.0.0.1", 8082))).isEmpty();
        // the same port elsewhere is someone else's service and stays allowed
        assertThat(p.check(at("10.0.0.1", 8080))).isEmpty();
    }

    @Test
    void badRangesAreRefusedWithoutALookup() {
        assertThatThrownBy(() -> AddressPolicy.builder().deny("example.com/8")).hasMessageContaining("not an address range");
        assertThatThrownBy(() -> AddressPolicy.builder().deny("10.0.0.0/33")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> AddressPolicy.builder().denyPorts("10.0.0.0/8", 9, 1)).hasMessageContaining("9..1");
    }
}
