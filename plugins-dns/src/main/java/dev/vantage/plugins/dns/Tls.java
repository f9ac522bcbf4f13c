package dev.vantage.plugins.dns;

import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.plugin.support.TrustCheck;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.TlsFacts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS for DoT and DoH: one client context per probe (trusted roots and {@code verifyTls}), built on first use,
 * with each session invalidated after its attempt so that every attempt does a full handshake. Thread-safe.
 */
final class Tls {
    private final String caCert;
    private final boolean verify;
    private SSLContext context;

    Tls(String caCert, boolean verify) {
        this.caCert = caCert;
        this.verify = verify;
    }

    /** The roots trusted for {@code pem}: only the certificates in it. */
    static X509ExtendedTrustManager trusting(String pem) throws GeneralSecurityException {
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certs.isEmpty()) {
            throw new CertificateException("no certificate found");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (Certificate cert : certs) {
            store.setCertificateEntry("ca" + i++, cert);
        }
        return TrustCheck.roots(store);
    }

    private synchronized SSLContext context() throws GeneralSecurityException {
        if (context == null) {
            SSLContext c = SSLContext.getInstance("TLS");
            X509ExtendedTrustManager roots = caCert == null ? TrustCheck.defaultRoots() : trusting(caCert);
            c.init(null, new TrustManager[] {TrustCheck.of(roots, verify)}, null);
            context = c;
        }
        return context;
    }

    /**
     * Completes a handshake over {@code plain} and records the TLS facts.
     *
     * @param serverName the name to send as SNI and to verify against, or an IP literal (verified against the
     *                   certificate's IP addresses, no SNI sent)
     * @param alpn       the application protocol to offer, or {@code null}
     */
    SSLSocket handshake(Socket plain, String serverName, int port, String alpn, int timeoutMillis,
                        ProbeResult.Builder result) throws ProbeException {
        String sni = HostPort.isLiteral(serverName) ? null : serverName;
        try {
            SSLSocket ssl = (SSLSocket) context().getSocketFactory().createSocket(plain, serverName, port, true);
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // makes the trust check verify the host name
            if (sni != null) {
                params.setServerNames(List.of(new SNIHostName(sni))); // the JDK skips names without a dot
            }
            if (alpn != null) {
                params.setApplicationProtocols(new String[] {alpn});
            }
            ssl.setSSLParameters(params);
            plain.setSoTimeout(timeoutMillis);
            try {
                ssl.startHandshake();
            } finally {
                ssl.getSession().invalidate(); // never resumed by a later attempt
            }
            TlsFacts.record(result, ssl.getSession(), sni, Instant.now());
            TrustCheck.recordVerdict(result, ssl.getSession());
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new ProbeException(ErrorKind.CONFIG, "cannot set up TLS: " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new ProbeException(ErrorKind.TIMEOUT, "TLS handshake timed out", e);
        } catch (IOException e) {
            TrustCheck.Refusal refusal = TrustCheck.refusal(e);
            if (refusal == null) {
                throw new ProbeException(ErrorKind.TLS, "TLS handshake failed: " + e.getMessage(), e);
            }
            if (refusal.certificate() != null) {
                TlsFacts.recordCertificate(result, refusal.certificate(), Instant.now());
            }
            throw new ProbeException(ErrorKind.TLS, "TLS handshake failed: " + refusal.getMessage(), e);
        }
    }
}
