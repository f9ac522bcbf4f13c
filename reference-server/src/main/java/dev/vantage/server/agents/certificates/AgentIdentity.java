package dev.vantage.server.agents.certificates;

import dev.vantage.server.errors.ForbiddenException;
import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotAuthenticatedException;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
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
import java.util.function.Function;
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
    private final Function<Optional<String>, Optional<String>> bearer;
    private final Counter ignored;
    private final AtomicBoolean ignoredLogged = new AtomicBoolean();

    /**
     * @param tls    whether this server's own listener speaks HTTPS (and so asks for client certificates)
     * @param bearer the agent id of a valid {@code Authorization: Bearer} header
     */
    public AgentIdentity(AgentCertificates certificates, boolean tls, List<String> trustedProxies,
                         boolean bearerAllowed, Function<Optional<String>, Optional<String>> bearer,
                         MeterRegistry registry) {
        this.certificates = certificates;
        this.tls = tls;
        this.trustedProxies = trustedProxies.stream().map(AgentIdentity::address).filter(Objects::nonNull).toList();
        this.bearerAllowed = bearerAllowed;
        this.bearer = bearer;
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
     * The agent a request or WebSocket upgrade comes from, by its certificate (the TLS peer's own, or a trusted
     * proxy's {@value #HEADER}) or, where allowed, its bearer credential. Every agent route authenticates here: the
     * upgrade of {@code /ws/agent}, its plain HTTP answer, release downloads and certificate renewal.
     *
     * @throws NotAuthenticatedException when neither authenticates, or a certificate and a bearer name different
     *                                   agents
     * @throws ForbiddenException         when the certificate presented is refused (revoked, expired, unknown...)
     */
    public String authenticate(PeerInfo peer, Headers headers) {
        Optional<AgentCertificates.Verdict> byCertificate = identify(peer.tlsCertificates(), peer.address(),
                headers.first(HeaderNames.create(HEADER)));
        Optional<String> byBearer = bearerAllowed ? bearer.apply(headers.first(HeaderNames.AUTHORIZATION)) : Optional.empty();
        if (byCertificate.isPresent() && !byCertificate.get().accepted()) {
            // 403, not 401: an agent stops for good on a 401, and one whose certificates were revoked (still
            // enrolled) retries until its certificate expires, then goes on with its bearer where allowed
            throw new ForbiddenException(Message.of("agent.certificateRefused", byCertificate.get().reason()));
        }
        if (byCertificate.isPresent() && byBearer.isPresent() && !byBearer.get().equals(byCertificate.get().agentId())) {
            certificates.otherAgent();
            throw new NotAuthenticatedException(Message.of("agent.certificateRefused", "other_agent"));
        }
        return byCertificate.map(AgentCertificates.Verdict::agentId).or(() -> byBearer)
                .orElseThrow(() -> new NotAuthenticatedException(Message.of("agent.credential")));
    }

    /**
     * The verdict on the certificate this connection presents, or empty when it presents none.
     *
     * @param peer      the TLS peer's certificates, if any
     * @param remote    the address the connection comes from
     * @param forwarded the {@value #HEADER} header, if any
     */
    private Optional<AgentCertificates.Verdict> identify(Optional<Certificate[]> peer, SocketAddress remote,
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
