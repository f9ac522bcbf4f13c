package dev.vantage.probe.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves host names for probes. Embedders may supply their own (a DNS-over-HTTPS client, a fixed table in
 * tests); probes always resolve through the engine so that one resolver and one address policy apply everywhere.
 */
@FunctionalInterface
public interface NameResolver {

    /**
     * @return the addresses in preference order, never empty
     * @throws UnknownHostException if the name does not resolve
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JDK's resolver ({@link InetAddress#getAllByName(String)}). */
    static NameResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
