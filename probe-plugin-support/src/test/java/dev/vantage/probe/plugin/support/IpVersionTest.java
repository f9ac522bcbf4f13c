package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpVersionTest {
    private static final List<InetAddress> BOTH = List.of(literal("::1"), literal("127.0.0.1"));

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address); // a literal never causes a lookup
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void choosesTheFirstAddressOfTheFamily() throws ProbeException {
        assertThat(IpVersion.of("any").choose("h", BOTH).getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(IpVersion.of("4").choose("h", BOTH).getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(IpVersion.of("6").choose("h", BOTH).getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void aNameWithoutTheFamilyIsADnsFailure() {
        assertThatThrownBy(() -> IpVersion.V6.choose("v4only.test", List.of(literal("10.0.0.1"))))
                .isInstanceOfSatisfying(ProbeException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.DNS))
                .hasMessage("v4only.test has no IPv6 address");
    }

    @Test
    void theParameterIsTheSameForEveryPlugin() {
        assertThat(IpVersion.parameter().name()).isEqualTo("ipVersion");
        assertThat(IpVersion.parameter().allowedValues()).containsExactly("any", "4", "6");
        assertThat(IpVersion.parameter().defaultValue()).isEqualTo("any");
        assertThatThrownBy(() -> IpVersion.of("5")).hasMessageContaining("any, 4 or 6");
    }
}
