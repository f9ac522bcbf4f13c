package dev.vantage.server.agents.certificates;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.Routes;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * {@code POST /api/v1/agents/certificate}: an agent renews its client certificate, authenticated by the one it holds
 * (or, where allowed, its bearer credential), with a CSR of a key it made; the new certificate names the same agent.
 */
public final class CertificatesApi implements ApiModule {
    private final AgentCertificates certificates;
    private final AgentIdentity identity;

    public CertificatesApi(AgentCertificates certificates, AgentIdentity identity) {
        this.certificates = certificates;
        this.identity = identity;
    }

    @Override
    public void routes(Routes r) {
        r.signIn(Method.POST, "/api/v1/agents/certificate", this::renew);
    }

    private void renew(ServerRequest req, ServerResponse res) {
        String agentId = identity.authenticate(req.remotePeer(), req.headers());
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
