package dev.vantage.server.agents.certificates;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which agent a connection's certificate authenticates: the TLS peer's own, or, from a configured TLS-terminating
 * proxy only, the one it forwards in {@value #HEADER} (URL-encoded PEM, nginx's {@code $ssl_client_escaped_cert}).
 * The header from any other address is ignored, counted in {@code vantage.agents.certificates.forwarded.ignored}
 * and logged once.
 */
public final class AgentIdentity {
    public static final String HEADER = "X-Client-Cert";
    private static final Logger LOG = LoggerFactory.getLogger(AgentIdentity.class);

    private final AgentCertificates certificates;
    private final boolean tls;
    private final List<InetAddress> trustedProxies;
    private final boolean bearerAllowed;
    private final Counter ignored;
    private final AtomicBoolean ignoredLogged = new AtomicBoolean();

    /** @param tls whether this server's own listener speaks HTTPS (and so asks for client certificates) */
    public AgentIdentity(AgentCertificates certificates, boolean tls, List<String> trustedProxies,
                         boolean bearerAllowed, MeterRegistry registry) {
        this.certificates = certificates;
        this.tls = tls;
        this.trustedProxies = trustedProxies.stream().map(AgentIdentity::address).filter(Objects::nonNull).toList();
        this.bearerAllowed = bearerAllowed;
        this.ignored = Counter.builder("vantage.agents.certificates.forwarded.ignored")
                .description("X-Client-Cert headers ignored because they did not come from a trusted proxy")
                .register(registry);
    }

    /** Whether an agent may still authenticate with its bearer credential ({@code certificate-or-bearer}). */
    public boolean bearerAllowed() {
        return bearerAllowed;
    }

    /** Whether a connection may authenticate with a certificate at all: its own, or a trusted proxy's. */
    public boolean certificatesPossible() {
        return tls || !trustedProxies.isEmpty();
    }

    /**
     * The verdict on the certificate this connection presents, or empty when it presents none.
     *
     * @param peer      the TLS peer's certificates, if any
     * @param remote    the address the connection comes from
     * @param forwarded the {@value #HEADER} header, if any
     */
    public Optional<AgentCertificates.Verdict> identify(Optional<Certificate[]> peer, SocketAddress remote,
                                                        Optional<String> forwarded) {
        Optional<X509Certificate[]> chain = peer.filter(c -> c.length > 0)
                .map(c -> Arrays.stream(c).map(X509Certificate.class::cast).toArray(X509Certificate[]::new));
        if (chain.isEmpty() && forwarded.isPresent()) {
            if (fromTrustedProxy(remote)) {
                Optional<X509Certificate> cert = parse(forwarded.get());
                if (cert.isEmpty()) {
                    return Optional.of(certificates.verify(new X509Certificate[0]));
                }
                chain = Optional.of(new X509Certificate[] {cert.get()});
            } else {
                ignored.increment();
                if (ignoredLogged.compareAndSet(false, true)) {
                    LOG.warn("{} header from {}, which is not in server.tls.trusted-proxies: ignored (logged once)",
                            HEADER, remote);
                }
            }
        }
        return chain.map(certificates::verify);
    }

    /** Counts a valid certificate presented beside another agent's credential. */
    public void otherAgent() {
        certificates.otherAgent();
    }

    private boolean fromTrustedProxy(SocketAddress remote) {
        return remote instanceof InetSocketAddress a && a.getAddress() != null && trustedProxies.contains(a.getAddress());
    }

    private static Optional<X509Certificate> parse(String header) {
        try {
            String pem = URLDecoder.decode(header, StandardCharsets.US_ASCII);
            return Optional.of((X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        } catch (CertificateException | IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /** A configured literal address (checked by the config); never a lookup. */
    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
