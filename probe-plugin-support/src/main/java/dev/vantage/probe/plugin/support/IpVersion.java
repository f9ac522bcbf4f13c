package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.ProbeException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * Which address family a probe uses when a name resolves to both: the {@code ipVersion} parameter every network
 * plugin offers under the same name, values and default.
 *
 * @since 0.1
 */
public enum IpVersion {
    /** The resolver's first address, whatever its family. */
    ANY("any"),
    /** The first IPv4 address. */
    V4("4"),
    /** The first IPv6 address. */
    V6("6");

    /** The parameter's name in task specs. */
    public static final String PARAMETER = "ipVersion";

    private final String value;

    IpVersion(String value) {
        this.value = value;
    }

    /**
     * The parameter's description in Simplified Chinese, by name, for a plugin's
     * {@code ProbeDescriptor.Texts.builder().parameters(...)}.
     *
     * @since 0.1
     */
    public static final Map<String, String> DESCRIPTION_ZH_CN = Map.of(PARAMETER,
            "名称同时有 IPv4 和 IPv6 地址时使用的地址族：any 取解析结果的第一个地址，4 取第一个 IPv4 地址，6 取第一个 IPv6 地址。");

    /** The {@code ipVersion} parameter, for a plugin's {@link dev.vantage.probe.spi.ProbeDescriptor}. */
    public static ParameterSpec parameter() {
        return ParameterSpec.builder(PARAMETER, ParameterType.ENUM).allowedValues("any", "4", "6").defaultValue("any")
                .description("Address family to use when the name has both: 'any' takes the resolver's first "
                        + "address, '4' the first IPv4 one, '6' the first IPv6 one.").build();
    }

    /**
     * The version for a parameter value ({@code any}, {@code 4} or {@code 6}).
     *
     * @throws IllegalArgumentException for any other value
     */
    public static IpVersion of(String value) {
        for (IpVersion v : values()) {
            if (v.value.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("ipVersion must be any, 4 or 6, got '" + value + "'");
    }

    /**
     * The first of {@code addresses} of this family.
     *
     * @param host the name the addresses came from, for the error message
     * @throws ProbeException of kind {@link ErrorKind#DNS} if the name has no address of this family
     */
    public InetAddress choose(String host, List<InetAddress> addresses) throws ProbeException {
        for (InetAddress a : addresses) {
            if (this == ANY || (this == V4 ? a instanceof Inet4Address : a instanceof Inet6Address)) {
                return a;
            }
        }
        throw new ProbeException(ErrorKind.DNS, host + " has no IPv" + value + " address");
    }
}
