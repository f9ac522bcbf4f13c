package dev.vantage.server.tls;

import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.config.Setting;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server's certificate and key from PEM files, as Helidon's {@link Tls} (TLS 1.3 only unless 1.2 is allowed),
 * read again every {@code reloadInterval}: a changed, valid pair goes to Helidon's TLS reload, which serves it to
 * new connections while open ones (agents' WebSockets) stay. A broken or half-written pair is logged once and the
 * old one kept, so a renewal that writes the two files one after the other never takes the listener down.
 */
public final class ServerTls implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServerTls.class.getName());
    private static final Pattern PEM_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /** A certificate chain with its private key, and the digest of the files they came from. */
    private record Material(byte[] digest, PrivateKey key, List<X509Certificate> chain) {
    }

    private final ServerConfig.Tls config;
    private volatile ClientCertificateCheck clients;
    private volatile Material current;
    private byte[] lastRefused = new byte[0];
    private ScheduledExecutorService watcher;

    private ServerTls(ServerConfig.Tls config, Material first) {
        this.config = config;
        this.current = first;
    }

    /**
     * Reads the files named by {@code config}.
     *
     * @throws ConfigException naming the setting when a file is unreadable, not PEM, or the key does not match
     */
    public static ServerTls load(ServerConfig.Tls config) {
        try {
            return new ServerTls(config, read(config));
        } catch (BadMaterial e) {
            throw new ConfigException(e.setting.key() + " (" + e.setting.env() + "): " + e.getMessage());
        }
    }

    /**
     * Asks clients for a certificate (optionally: browsers and bearer agents go without) and lets {@code check}
     * judge those presented. Call before {@link #tls()} is first used.
     */
    public void clientCertificates(ClientCertificateCheck check) {
        this.clients = check;
    }

    /** Helidon's TLS settings for the listener, with the current certificate. */
    public Tls tls() {
        Material m = current;
        List<String> protocols = config.allowTls12() ? List.of("TLSv1.3", "TLSv1.2") : List.of("TLSv1.3");
        var builder = Tls.builder()
                .privateKey(m.key())
                .privateKeyCertChain(m.chain())
                .enabledProtocols(protocols);
        ClientCertificateCheck check = clients;
        if (check != null) {
            // a new manager per Tls: Helidon initialises a manager from the one Tls it is built into
            builder.trust(check.issuers()).clientAuth(TlsClientAuth.OPTIONAL).manager(new CheckingTlsManager(check));
        }
        return builder.build();
    }

    /** The certificate served now (the first of the chain). */
    public X509Certificate certificate() {
        return current.chain().getFirst();
    }

    /**
     * A client context that trusts exactly the certificate this server serves now, whatever its name: for the
     * built-in local agent, which dials {@code wss://127.0.0.1} while the certificate names the public host.
     */
    public SSLContext selfTrust() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new PinnedTrust()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context", e);
        }
    }

    /** Starts reading the files every reload interval; {@code reload} gets each new valid pair. */
    public synchronized void watch(Consumer<Tls> reload) {
        if (watcher != null) {
            throw new IllegalStateException("already watching");
        }
        watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("tls-reload").factory());
        long every = config.reloadInterval().toMillis();
        watcher.scheduleWithFixedDelay(() -> check(reload), every, every, TimeUnit.MILLISECONDS);
    }

    private void check(Consumer<Tls> reload) {
        try {
            byte[] digest = digest(Files.readAllBytes(config.cert()), Files.readAllBytes(config.key()));
            if (Arrays.equals(digest, current.digest()) || Arrays.equals(digest, lastRefused)) {
                return;
            }
            Material next;
            try {
                next = read(config);
            } catch (BadMaterial e) {
                lastRefused = digest; // logged once per content, not every interval
                LOG.log(System.Logger.Level.WARNING, "TLS files changed but are not usable yet; still serving "
                        + "the previous certificate: " + e.getMessage());
                return;
            }
            current = next;
            reload.accept(tls());
            LOG.log(System.Logger.Level.INFO, "TLS certificate reloaded: " + certificate().getSubjectX500Principal()
                    + ", valid until " + certificate().getNotAfter().toInstant());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the TLS files (keeping the current ones): " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "TLS reload failed (keeping the current certificate)", e);
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    private static Material read(ServerConfig.Tls config) throws BadMaterial {
        byte[] certBytes;
        byte[] keyBytes;
        try {
            certBytes = Files.readAllBytes(config.cert());
        } catch (IOException e) {
            throw new BadMaterial(Setting.TLS_CERT, "cannot read " + config.cert() + ": " + e.getMessage());
        }
        try {
            keyBytes = Files.readAllBytes(config.key());
        } catch (IOException e) {
            throw new BadMaterial(Setting.TLS_KEY, "cannot read " + config.key() + ": " + e.getMessage());
        }
        List<X509Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(certBytes))
                    .stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw new BadMaterial(Setting.TLS_CERT, config.cert() + " is not a PEM certificate chain: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new BadMaterial(Setting.TLS_CERT, config.cert() + " holds no certificate");
        }
        PrivateKey key = privateKey(keyBytes, config);
        if (!matches(key, chain.getFirst())) {
            throw new BadMaterial(Setting.TLS_KEY, config.key() + " is not the key of the first certificate in "
                    + config.cert());
        }
        return new Material(digest(certBytes, keyBytes), key, chain);
    }

    private static PrivateKey privateKey(byte[] pem, ServerConfig.Tls config) throws BadMaterial {
        Matcher m = PEM_KEY.matcher(new String(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new BadMaterial(Setting.TLS_KEY, config.key() + " holds no PKCS#8 key (-----BEGIN PRIVATE KEY-----);"
                    + " convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new BadMaterial(Setting.TLS_KEY, config.key() + " is not an RSA, EC or Ed25519 key");
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] digest(byte[] cert, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cert);
            sha.update((byte) 0);
            sha.update(key);
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class BadMaterial extends Exception {
        private final Setting setting;

        BadMaterial(Setting setting, String message) {
            super(message);
            this.setting = setting;
        }
    }

    /** Trusts the one certificate this server serves now; nothing else, and never as a client's certificate. */
    private final class PinnedTrust extends X509ExtendedTrustManager {
        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(certificate())) {
                throw new CertificateException("not this server's own certificate");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not trusted here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
