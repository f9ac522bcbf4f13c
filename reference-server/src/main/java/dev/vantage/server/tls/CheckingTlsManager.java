package dev.vantage.server.tls;

import io.helidon.common.tls.ConfiguredTlsManager;
import io.helidon.common.tls.TlsConfig;
import java.net.Socket;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Helidon's TLS manager with the client-certificate decision handed to a {@link ClientCertificateCheck}, which
 * also knows revocations (the JDK's trust manager only knows signatures and dates).
 */
final class CheckingTlsManager extends ConfiguredTlsManager {
    private final ClientCertificateCheck check;

    CheckingTlsManager(ClientCertificateCheck check) {
        super("vantage-client-check", "vantage-client-check");
        this.check = check;
    }

    @Override
    protected void initSslContext(TlsConfig config, SecureRandom random, KeyManager[] keys, TrustManager[] trust) {
        super.initSslContext(config, random, keys, new TrustManager[] {new Checking()});
    }

    private final class Checking extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check.check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check.check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check.check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a server does not judge servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a server does not judge servers");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server does not judge servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return check.issuers().toArray(X509Certificate[]::new);
        }
    }
}
