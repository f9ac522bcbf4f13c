package dev.vantage.plugins.tcp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Asks the JDK's default trust manager (chain and host name) about the server's certificates and remembers its
 * verdict, so that a probe with verification off can still report whether the chain would have been accepted.
 * One instance per handshake; the JDK calls it on the handshaking thread, which later reads the verdict.
 */
final class TrustCheck extends X509ExtendedTrustManager {
    private static volatile X509ExtendedTrustManager standard;

    private final X509ExtendedTrustManager delegate;
    private final boolean enforce;
    private X509Certificate leaf;
    private String failure;

    /** @param enforce fail the handshake when the default trust manager refuses, rather than only recording it */
    TrustCheck(boolean enforce) throws ProbeException {
        this.delegate = standard();
        this.enforce = enforce;
    }

    /** The server's certificate, or {@code null} if the handshake did not get that far. */
    X509Certificate leaf() {
        return leaf;
    }

    /** Why the default trust store refused the server, or {@code null} if it accepted it (or was never asked). */
    String failure() {
        return failure;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, authType, () -> delegate.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, authType, () -> delegate.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, () -> delegate.checkServerTrusted(chain, authType));
    }

    private interface Check {
        void run() throws CertificateException;
    }

    private void verify(X509Certificate[] chain, String authType, Check check) throws CertificateException {
        leaf = chain.length > 0 ? chain[0] : null;
        try {
            check.run();
        } catch (CertificateException e) {
            failure = reason(e, chain, authType);
            if (enforce) {
                throw e;
            }
        }
    }

    /**
     * Names the usual causes. A host name mismatch has no exception type of its own: if the chain alone passes,
     * the name was the problem.
     */
    private String reason(CertificateException e, X509Certificate[] chain, String authType) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (t instanceof CertificateExpiredException) {
                return "certificate expired (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "certificate not yet valid (" + t.getMessage() + ")";
            }
            if (t instanceof CertPathBuilderException) {
                return "unknown CA (" + t.getMessage() + ")";
            }
        }
        try {
            delegate.checkServerTrusted(chain, authType); // the chain alone, without the host name
        } catch (CertificateException chainRefused) {
            return "certificate rejected (" + root.getMessage() + ")";
        }
        return "host name mismatch (" + root.getMessage() + ")";
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("client certificates are not checked by a probe");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("client certificates are not checked by a probe");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates are not checked by a probe");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    /** The JDK default trust manager, loaded once: loading the trust store is too slow to repeat per attempt. */
    private static X509ExtendedTrustManager standard() throws ProbeException {
        X509ExtendedTrustManager tm = standard;
        if (tm == null) {
            try {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                for (TrustManager candidate : factory.getTrustManagers()) {
                    if (candidate instanceof X509ExtendedTrustManager x) {
                        tm = x;
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new ProbeException(ErrorKind.CONFIG, "cannot load the default trust store: " + e.getMessage(), e);
            }
            if (tm == null) {
                throw new ProbeException(ErrorKind.CONFIG, "the default trust manager does not handle X.509");
            }
            standard = tm; // a racing second load is harmless
        }
        return tm;
    }
}
