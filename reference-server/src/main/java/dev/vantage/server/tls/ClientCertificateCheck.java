package dev.vantage.server.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who judges the client certificates the listener asks for (optionally): the agents' CA. Called during the handshake;
 * a refusal ends the handshake, so a bad certificate never reaches an HTTP handler.
 */
public interface ClientCertificateCheck {
    /** The CAs whose certificates clients are asked for. */
    List<X509Certificate> issuers();

    /** @throws CertificateException when the chain must be refused (say why: it goes to the log) */
    void check(X509Certificate[] chain) throws CertificateException;
}
