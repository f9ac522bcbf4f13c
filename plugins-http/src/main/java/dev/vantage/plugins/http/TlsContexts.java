package dev.vantage.plugins.http;

import dev.vantage.plugins.http.HttpSettings.HttpVersion;
import dev.vantage.probe.plugin.support.TrustCheck;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client TLS contexts for one set of trusted roots, one per (verify, HTTP version) pair, built on first use and
 * then shared by every attempt: building a context is far costlier than a probe.
 *
 * <p>With verification off the chain and host name are still checked, by a {@link TrustCheck} that records the
 * failure in the session instead of failing the handshake, so that a result can say {@code tlsVerified=false} and
 * why.
 */
final class TlsContexts {
    private final X509ExtendedTrustManager roots;
    private final SslContext[] contexts = new SslContext[2 * HttpVersion.values().length];

    private TlsContexts(X509ExtendedTrustManager roots) {
        this.roots = roots;
    }

    /** Contexts trusting the JDK's default roots. */
    static TlsContexts system() {
        try {
            return new TlsContexts(TrustCheck.defaultRoots());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's default trust store cannot be loaded", e);
        }
    }

    /** Contexts trusting only the certificates in {@code pem}. */
    static TlsContexts trusting(String pem) throws GeneralSecurityException {
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certs.isEmpty()) {
            throw new CertificateException("no certificate found");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (Certificate cert : certs) {
            store.setCertificateEntry("ca" + i++, cert);
        }
        return new TlsContexts(TrustCheck.roots(store));
    }

    synchronized SslContext context(boolean verify, HttpVersion version) throws SSLException {
        int index = (verify ? 0 : HttpVersion.values().length) + version.ordinal();
        if (contexts[index] == null) {
            contexts[index] = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(TrustCheck.of(roots, verify))
                    // also with verification off, so that the check records a host name mismatch
                    .endpointIdentificationAlgorithm("HTTPS")
                    .applicationProtocolConfig(alpn(version))
                    .build();
        }
        return contexts[index];
    }

    private static ApplicationProtocolConfig alpn(HttpVersion version) {
        String[] protocols = switch (version) {
            case AUTO -> new String[] {ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1};
            case HTTP1 -> new String[] {ApplicationProtocolNames.HTTP_1_1};
            case HTTP2 -> new String[] {ApplicationProtocolNames.HTTP_2};
        };
        return new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                SelectedListenerFailureBehavior.ACCEPT, protocols);
    }
}
