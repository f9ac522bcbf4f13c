package dev.vantage.probe.spi;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Records the facts of a TLS session on a result under the same names in every plugin, so that users can assert
 * and alert on them alike for TCP, HTTP or a third-party protocol: {@code tlsVersion}, {@code tlsCipher},
 * {@code tlsSni}, {@code certSubject}, {@code certIssuer}, {@code certSans}, {@code certNotAfter} and
 * {@code certSerial} as attributes, {@code certDaysRemaining} as a measurement.
 *
 * @since 0.1
 */
public final class TlsFacts {
    private TlsFacts() {
    }

    /**
     * Adds the session's facts to the builder. Uses the leaf certificate; verification is the caller's business
     * (record its outcome as {@code tlsVerified}).
     *
     * @param sni the server name sent, or {@code null} if none
     * @param now the time the days remaining are counted from
     */
    public static void record(ProbeResult.Builder result, SSLSession session, String sni, Instant now) {
        result.attribute("tlsVersion", session.getProtocol());
        result.attribute("tlsCipher", session.getCipherSuite());
        if (sni != null) {
            result.attribute("tlsSni", sni);
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return;
        }
        if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
            recordCertificate(result, leaf, now);
        }
    }

    /** Adds one certificate's facts to the builder. */
    public static void recordCertificate(ProbeResult.Builder result, X509Certificate cert, Instant now) {
        result.attribute("certSubject", cert.getSubjectX500Principal().getName());
        result.attribute("certIssuer", cert.getIssuerX500Principal().getName());
        result.attribute("certSans", String.join(",", subjectAltNames(cert)));
        Instant notAfter = cert.getNotAfter().toInstant();
        result.attribute("certNotAfter", notAfter.toString());
        result.attribute("certSerial", cert.getSerialNumber().toString(16));
        result.measurement("certDaysRemaining", Duration.between(now, notAfter).toSeconds() / 86_400.0);
    }

    /** DNS names and IP addresses from the certificate's subjectAltName extension, in order. */
    public static List<String> subjectAltNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    Object type = san.get(0);
                    // 2 = dNSName, 7 = iPAddress; other forms (email, URI) say nothing about the endpoint
                    if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // a malformed extension is reported as no names rather than failing the probe
        }
        return names;
    }
}
