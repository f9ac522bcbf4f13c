package dev.vantage.server.agents.certificates;

import dev.vantage.server.errors.InvalidFieldException;
import dev.vantage.server.security.secrets.SecretBox;
import dev.vantage.server.tls.ClientCertificateCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents' client certificates: issues them from the {@link AgentCa} and decides whether a presented one
 * authenticates an agent now — issued by our CA, within its dates, still on record, neither it nor its agent revoked
 * or deleted. The record lives in the database, so every replica decides alike at once. Refusals are counted in
 * {@code vantage.agents.certificates.refused{reason}}.
 */
public final class AgentCertificates implements ClientCertificateCheck {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCertificates.class);
    private static final String KEY_PLACE = "agent_ca/1/private_key";

    private final AgentCa ca;
    private final AgentCertificateStore store;
    private final Duration lifetime;
    private final Clock clock;
    private final Map<AgentCa.Refusal, Counter> refused = new EnumMap<>(AgentCa.Refusal.class);

    AgentCertificates(AgentCa ca, AgentCertificateStore store, Duration lifetime, Clock clock, MeterRegistry registry) {
        this.ca = ca;
        this.store = store;
        this.lifetime = lifetime;
        this.clock = clock;
        for (AgentCa.Refusal r : AgentCa.Refusal.values()) {
            refused.put(r, Counter.builder("vantage.agents.certificates.refused").tag("reason", r.name().toLowerCase())
                    .description("Agent client certificates refused (at the handshake or the upgrade)").register(registry));
        }
    }

    /**
     * The CA given as two PEM files, or else the one in the database, or else a new one stored there (sealed with
     * the secrets key) for every replica to share.
     */
    public static AgentCertificates load(Path caCert, Path caKey, AgentCertificateStore store, SecretBox box,
                                         Duration lifetime, Clock clock, MeterRegistry registry) {
        AgentCa ca;
        if (caCert != null) {
            try {
                ca = AgentCa.fromPem(Files.readString(caCert), Files.readString(caKey));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("the agent CA files " + caCert + " and " + caKey + " are not usable: "
                        + e.getMessage(), e);
            }
        } else {
            ca = stored(store, box, clock).orElseGet(() -> {
                AgentCa fresh = AgentCa.generate(clock.instant());
                store.createCa(new AgentCertificateStore.StoredCa(fresh.certificatePem(),
                        box.seal(fresh.keyPem(), KEY_PLACE)), clock.instant());
                return stored(store, box, clock).orElseThrow(); // another replica's, if it was first
            });
        }
        return new AgentCertificates(ca, store, lifetime, clock, registry);
    }

    /**
     * Seals the stored CA key again with the current secrets key ({@code rotate-secrets}); in the caller's
     * transaction. Returns 1 when it changed, 0 when it was sealed with that key already (or there is none).
     */
    public static int reseal(java.sql.Connection c, SecretBox box) throws java.sql.SQLException {
        return AgentCertificateStore.reseal(c, sealed -> sealed.startsWith("v1:" + box.currentKeyId() + ":") ? null
                : box.seal(box.open(sealed, KEY_PLACE), KEY_PLACE));
    }

    private static Optional<AgentCa> stored(AgentCertificateStore store, SecretBox box, Clock clock) {
        return store.ca().map(s -> AgentCa.fromPem(s.certificatePem(), box.open(s.sealedKey(), KEY_PLACE)));
    }

    /** A certificate issued to an agent, and the CA's, both PEM. */
    public record Issued(String certificate, String ca, Instant notAfter) {
    }

    /**
     * Signs {@code csrPem} for {@code agentId}.
     *
     * @throws InvalidFieldException naming {@code field} when the CSR is not a valid one
     */
    public Issued issue(String agentId, String csrPem, String field) {
        Instant now = clock.instant();
        X509Certificate cert;
        try {
            cert = ca.issue(agentId, csrPem, lifetime, now);
        } catch (AgentCa.BadCsr e) {
            throw new InvalidFieldException(field, "agent.csrInvalid", e.getMessage());
        }
        store.issued(AgentCa.serialOf(cert), agentId, cert.getNotAfter().toInstant(), now);
        return new Issued(AgentCa.pem(cert), ca.certificatePem(), cert.getNotAfter().toInstant());
    }

    /**
     * Checks a CSR before anything is done for it, so that a bad one costs nothing (an enrollment token stays unused).
     *
     * @throws InvalidFieldException naming {@code field} when it is not a valid one
     */
    public boolean validate(String csrPem, String field) {
        try {
            AgentCa.verifiedKey(csrPem);
            return true;
        } catch (AgentCa.BadCsr e) {
            throw new InvalidFieldException(field, "agent.csrInvalid", e.getMessage());
        }
    }

    /** Revokes every certificate the agent holds; its connections must be closed by the caller. */
    public int revoke(String agentId) {
        return store.revokeAll(agentId, clock.instant());
    }

    /** The agent a chain authenticates now, or why it does not; refusals are counted. */
    public Verdict verify(X509Certificate[] chain) {
        Optional<AgentCa.Refusal> refusal = chain.length == 0 ? Optional.of(AgentCa.Refusal.UNTRUSTED) : ca.verify(chain);
        String agentId = null;
        if (refusal.isEmpty()) {
            agentId = AgentCa.agentId(chain[0]).orElse(null);
            if (agentId == null) {
                refusal = Optional.of(AgentCa.Refusal.NO_AGENT);
            } else if (!store.honoured(AgentCa.serialOf(chain[0]), agentId)) {
                refusal = Optional.of(AgentCa.Refusal.REVOKED);
            }
        }
        if (refusal.isPresent()) {
            refused(refusal.get());
            return new Verdict(null, refusal.get());
        }
        return new Verdict(agentId, null);
    }

    /** Counts a certificate that was valid but presented for another agent than its own. */
    public void otherAgent() {
        refused(AgentCa.Refusal.OTHER_AGENT);
    }

    private void refused(AgentCa.Refusal reason) {
        refused.get(reason).increment();
    }

    /** Either the authenticated agent's id or the reason of the refusal. */
    public record Verdict(String agentId, AgentCa.Refusal refusal) {
        public boolean accepted() {
            return agentId != null;
        }

        public String reason() {
            return refusal == null ? "accepted" : refusal.name().toLowerCase();
        }
    }

    @Override
    public List<X509Certificate> issuers() {
        return List.of(ca.certificate());
    }

    @Override
    public void check(X509Certificate[] chain) throws CertificateException {
        Verdict v = verify(chain);
        if (!v.accepted()) {
            // debug: anyone can present certificates at will; the counter is what to watch
            LOG.debug("client certificate {} refused at the handshake: {}",
                    chain.length == 0 ? "-" : chain[0].getSubjectX500Principal(), v.reason());
            throw new CertificateException("agent certificate refused: " + v.reason());
        }
    }

    public Duration lifetime() {
        return lifetime;
    }
}
