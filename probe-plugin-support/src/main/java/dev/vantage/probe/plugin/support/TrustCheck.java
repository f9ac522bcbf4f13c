package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ProbeResult;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Certificate verification for TLS probes, with one verdict and one wording in every plugin. A {@code TrustCheck}
 * is a trust manager that asks a delegate (the JDK's PKIX trust manager for the roots the probe trusts) about the
 * server's chain and host name. With verification on it fails the handshake with a {@link Refusal} naming the
 * reason; with verification off it lets the handshake go on and records the reason in the handshake's session, so
 * that a result can still report {@code tlsVerified=false} and {@code tlsVerifyError}.
 *
 * <p>Reasons: {@code certificate expired (...)}, {@code certificate not yet valid (...)}, {@code certificate
 * revoked (...)}, {@code certificate not trusted (...)} (no path to a trusted root: an unknown CA or a self-signed
 * certificate), {@code host name mismatch (...)}, or else {@code certificate rejected (...)}; the parentheses hold
 * the JDK's own message.
 *
 * <p>The host name is only checked if the connection asks for it: set
 * {@link javax.net.ssl.SSLParameters#setEndpointIdentificationAlgorithm(String)} to {@code "HTTPS"} on the engine
 * or socket, also with verification off. A check keeps no state of its own: one instance may serve every handshake
 * of a shared {@link javax.net.ssl.SSLContext}; it is thread-safe and blocks only as long as its delegate.
 * <pre>{@code
 * SSLContext tls = SSLContext.getInstance("TLS");
 * tls.init(null, new TrustManager[] {TrustCheck.of(TrustCheck.defaultRoots(), verify)}, null);
 * ... handshake with endpoint identification "HTTPS" ...
 * TrustCheck.recordVerdict(result, socket.getSession());   // tlsVerified, and tlsVerifyError if verification is off
 * Refusal refusal = TrustCheck.refusal(handshakeException); // verification on: why the handshake failed
 * }</pre>
 *
 * @since 0.1
 */
public final class TrustCheck extends X509ExtendedTrustManager {
    private static final String VERIFY_ERROR = TrustCheck.class.getName() + ".verifyError";
    private static volatile X509ExtendedTrustManager defaultRoots;

    private final X509ExtendedTrustManager delegate;
    private final boolean enforce;

    private TrustCheck(X509ExtendedTrustManager delegate, boolean enforce) {
        this.delegate = delegate;
        this.enforce = enforce;
    }

    /**
     * A check against {@code roots}.
     *
     * @param roots  decides about chains and host names, e.g. {@link #defaultRoots()} or {@link #roots(KeyStore)}
     * @param verify true to fail the handshake on a bad certificate; false to record the reason and go on
     * @since 0.1
     */
    public static TrustCheck of(X509ExtendedTrustManager roots, boolean verify) {
        return new TrustCheck(java.util.Objects.requireNonNull(roots, "roots"), verify);
    }

    /**
     * The JDK's PKIX trust manager for its default trust store (honouring {@code javax.net.ssl.trustStore}), loaded
     * on first use and then kept: loading the store costs far more than a probe.
     *
     * @throws GeneralSecurityException if the default trust store cannot be loaded
     * @since 0.1
     */
    public static X509ExtendedTrustManager defaultRoots() throws GeneralSecurityException {
        X509ExtendedTrustManager tm = defaultRoots;
        if (tm == null) {
            tm = roots(null);
            defaultRoots = tm; // a racing second load is harmless
        }
        return tm;
    }

    /**
     * The JDK's PKIX trust manager trusting the certificates in {@code trusted}, or the default trust store if it
     * is {@code null}. Not cached.
     *
     * @throws GeneralSecurityException if the store cannot be used
     * @since 0.1
     */
    public static X509ExtendedTrustManager roots(KeyStore trusted) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager in " + factory.getAlgorithm());
    }

    /**
     * Why a session's certificate would have been refused, recorded by a check with verification off; {@code null}
     * if it passed (or no check with verification off saw this session).
     *
     * @since 0.1
     */
    public static String verifyError(SSLSession session) {
        return session.getValue(VERIFY_ERROR) instanceof String reason ? reason : null;
    }

    /**
     * Records a completed handshake's verdict on a result: {@code tlsVerified}, and {@code tlsVerifyError} (the
     * reason) when a check with verification off found a problem. Use it next to
     * {@link dev.vantage.probe.spi.TlsFacts#record}.
     *
     * @since 0.1
     */
    public static void recordVerdict(ProbeResult.Builder result, SSLSession session) {
        String error = verifyError(session);
        result.attribute("tlsVerified", String.valueOf(error == null));
        if (error != null) {
            result.attribute("tlsVerifyError", error);
        }
    }

    /**
     * The refusal behind a failed handshake (the exception itself or one of its causes), or {@code null} if the
     * handshake failed for another reason.
     *
     * @since 0.1
     */
    public static Refusal refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Refusal r) {
                return r;
            }
        }
        return null;
    }

    /** @since 0.1 */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            refuse(e, chain, authType, engine == null ? null : engine.getHandshakeSession());
        }
    }

    /** @since 0.1 */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            refuse(e, chain, authType, socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
        }
    }

    /**
     * Without a connection there is no host name to check and no session to record in, so the chain alone is
     * checked and a bad one is refused even with verification off. The JDK's own engines and sockets never call
     * this form of an {@link X509ExtendedTrustManager}.
     */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            refuse(e, chain, authType, null);
        }
    }

    private void refuse(CertificateException e, X509Certificate[] chain, String authType, SSLSession handshake)
            throws Refusal {
        String reason = reason(e, chain, authType);
        if (enforce || handshake == null) {
            throw new Refusal(reason, chain.length > 0 ? chain[0] : null, e);
        }
        handshake.putValue(VERIFY_ERROR, reason);
    }

    /**
     * Names the usual causes. A host name mismatch has no exception type of its own: if the chain alone passes, the
     * name was the problem.
     */
    private String reason(CertificateException e, X509Certificate[] chain, String authType) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            if (t instanceof CertificateExpiredException
                    || (t instanceof CertPathValidatorException v && v.getReason() == BasicReason.EXPIRED)) {
                return "certificate expired (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateNotYetValidException
                    || (t instanceof CertPathValidatorException v && v.getReason() == BasicReason.NOT_YET_VALID)) {
                return "certificate not yet valid (" + t.getMessage() + ")";
            }
            if (t instanceof CertPathValidatorException v && v.getReason() == BasicReason.REVOKED) {
                return "certificate revoked (" + t.getMessage() + ")";
            }
            if (t instanceof CertPathBuilderException) {
                return "certificate not trusted (" + t.getMessage() + ")";
            }
        }
        try {
            delegate.checkServerTrusted(chain, authType); // the chain alone, without the host name
        } catch (CertificateException chainRefused) {
            return "certificate rejected (" + root.getMessage() + ")";
        }
        return "host name mismatch (" + root.getMessage() + ")";
    }

    /** A probe checks servers only. */
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("client certificates are not checked by a probe");
    }

    /** A probe checks servers only. */
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("client certificates are not checked by a probe");
    }

    /** A probe checks servers only. */
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates are not checked by a probe");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    /**
     * A certificate refused by a {@link TrustCheck} with verification on. Its message is the reason, worded as
     * described there; the JDK's own exception is its cause.
     *
     * @since 0.1
     */
    public static final class Refusal extends CertificateException {
        private static final long serialVersionUID = 1L;
        private final transient X509Certificate certificate;

        private Refusal(String reason, X509Certificate certificate, CertificateException cause) {
            super(reason, cause);
            this.certificate = certificate;
        }

        /**
         * The server's own (leaf) certificate, or {@code null} if it sent none; its facts are worth reporting even
         * though it was refused (an expired certificate's dates).
         *
         * @since 0.1
         */
        public X509Certificate certificate() {
            return certificate;
        }
    }
}
