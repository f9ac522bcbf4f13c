package dev.vantage.plugins.http;

import dev.vantage.plugins.http.HttpSettings.HttpVersion;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client TLS contexts for one set of trusted roots, one per (verify, HTTP version) pair, built on first use and
 * then shared by every attempt: building a context is far costlier than a probe.
 *
 * <p>With verification off the chain and host name are still checked, by a trust manager that records the
 * failure instead of throwing, so that a result can say {@code tlsVerified=false} and why.
 */
final class TlsContexts {
    private static final String VERIFY_ERROR = "dev.vantage.plugins.http.verifyError";

    private final X509ExtendedTrustManager trust;
    private final RecordingTrustManager recording;
    private final SslContext[] contexts = new SslContext[2 * HttpVersion.values().length];

    private TlsContexts(X509ExtendedTrustManager trust) {
        this.trust = trust;
        this.recording = new RecordingTrustManager(trust);
    }

    /** Contexts trusting the JDK's default roots. */
    static TlsContexts system() {
        try {
            return new TlsContexts(trustManager(null));
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
        return new TlsContexts(trustManager(store));
    }

    private static X509ExtendedTrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X509ExtendedTrustManager in " + factory.getAlgorithm());
    }

    synchronized SslContext context(boolean verify, HttpVersion version) throws SSLException {
        int index = (verify ? 0 : HttpVersion.values().length) + version.ordinal();
        if (contexts[index] == null) {
            contexts[index] = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(verify ? trust : recording)
                    // also with verification off, so that the recording trust manager sees a host name mismatch
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

    /**
     * The verification failure recorded in a session handshaken with verification off, or {@code null} if the
     * chain and host name were fine.
     */
    static String verifyError(SSLSession session) {
        return (String) session.getValue(VERIFY_ERROR);
    }

    /**
     * Checks like the delegate, but records a failure in the handshake session instead of aborting the handshake.
     * The JDK keeps that session object as the connection's session, so the value is there once it is done.
     */
    private static final class RecordingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;

        RecordingTrustManager(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            try {
                delegate.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                engine.getHandshakeSession().putValue(VERIFY_ERROR, Failures.certificateProblem(e));
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // Netty drives an SSLEngine; a socket-based handshake does not happen here
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
