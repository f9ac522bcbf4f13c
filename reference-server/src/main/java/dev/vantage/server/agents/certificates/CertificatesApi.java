package dev.vantage.server.agents.certificates;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code POST /api/v1/agents/certificate}: an agent renews its client certificate, authenticated by the one it holds
 * (or, where allowed, its bearer credential), with a CSR of a key it made; the new certificate names the same agent.
 */
public final class CertificatesApi implements ApiModule {
    private final AgentCertificates certificates;
    private final AgentIdentity identity;
    private final Function<Optional<String>, Optional<String>> bearer;

    /** @param bearer the agent id of a valid {@code Authorization: Bearer} header */
    public CertificatesApi(AgentCertificates certificates, AgentIdentity identity,
                           Function<Optional<String>, Optional<String>> bearer) {
        this.certificates = certificates;
        this.identity = identity;
        this.bearer = bearer;
    }

    @Override
    public void routes(Routes r) {
        r.signIn(Method.POST, "/api/v1/agents/certificate", this::renew);
    }

    private void renew(ServerRequest req, ServerResponse res) {
        var peer = req.remotePeer();
        Optional<AgentCertificates.Verdict> byCertificate = identity.identify(peer.tlsCertificates(), peer.address(),
                req.headers().first(HeaderNames.create(AgentIdentity.HEADER)));
        Optional<String> byBearer = identity.bearerAllowed()
                ? bearer.apply(req.headers().first(HeaderNames.AUTHORIZATION)) : Optional.empty();
        if (byCertificate.isPresent() && !byCertificate.get().accepted()) {
            throw new NotAuthenticatedException(Message.of("agent.certificateRefused", byCertificate.get().reason()));
        }
        if (byCertificate.isPresent() && byBearer.isPresent() && !byBearer.get().equals(byCertificate.get().agentId())) {
            identity.otherAgent();
            throw new NotAuthenticatedException(Message.of("agent.certificateRefused", "other_agent"));
        }
        String agentId = byCertificate.map(AgentCertificates.Verdict::agentId).or(() -> byBearer)
                .orElseThrow(() -> new NotAuthenticatedException(Message.of("agent.credential")));
        ObjectNode body = Json.readObject(req);
        JsonInput in = JsonInput.of(body, "csr");
        String csr = in.requiredString("csr", 16_384);
        if (csr != null) {
            in.model(() -> certificates.validate(csr, "csr"));
        }
        in.check();
        AgentCertificates.Issued issued = certificates.issue(agentId, csr, "csr");
        Json.send(res, Map.of("agentId", agentId, "certificate", issued.certificate(), "caCertificate", issued.ca(),
                "notAfter", issued.notAfter()));
    }
}
