package dev.vantage.agent.uplink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Which servers a {@code wss://} agent trusts: the system's CAs by default, or only the CAs in a PEM file (a private
 * CA). Host names are verified either way (the JDK's HTTP client does it).
 */
public final class ServerTrust {
    private ServerTrust() {
    }

    /** The JVM's default context: the system trust store. */
    public static SSLContext system() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    /**
     * A context that trusts the servers {@code caPem} vouches for (the system's CAs when {@code null}) and presents
     * the agent's client certificate to servers that ask for one.
     */
    public static SSLContext withClientCertificate(Path caPem, ClientCertificate certificate) {
        try {
            javax.net.ssl.TrustManager[] trust = null; // the JVM's default trust store
            if (caPem != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(caStore(caPem));
                trust = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[] {certificate.keyManager()}, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context", e);
        }
    }

    /**
     * A context that trusts exactly the certificates in {@code caPem} (one or more PEM {@code CERTIFICATE} blocks).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static SSLContext fromCaFile(Path caPem) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(caStore(caPem));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context from " + caPem, e);
        }
    }

    private static KeyStore caStore(Path caPem) {
        Collection<? extends Certificate> cas;
        try (InputStream in = Files.newInputStream(caPem)) {
            cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA file " + caPem + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the CA file " + caPem + " is not PEM certificates: " + e.getMessage(), e);
        }
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("the CA file " + caPem + " holds no certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate ca : cas) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context from " + caPem, e);
        }
    }
}
