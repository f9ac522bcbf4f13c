package dev.vantage.agent.uplink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The agent's client certificate (docs/security.md "Agent certificates"): an EC P-256 key made here that never
 * leaves the data directory ({@value #KEY_FILE}, owner-only), certificate requests for it, and the certificate the
 * server signed ({@value #CERT_FILE}), replaced atomically on renewal. Its {@link #keyManager()} always presents the
 * current certificate, so a renewal applies to the next handshake without rebuilding any client. Thread-safe.
 */
public final class ClientCertificate {
    public static final String KEY_FILE = "agent-key.pem";
    public static final String CERT_FILE = "agent-cert.pem";
    /** ecdsa-with-SHA256 (1.2.840.10045.4.3.2), DER AlgorithmIdentifier without parameters. */
    private static final byte[] ECDSA_SHA256 = {0x30, 0x0a, 0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d,
            0x04, 0x03, 0x02};

    private final Path dataDir;
    private final KeyPair keys;
    private volatile X509Certificate certificate;

    private ClientCertificate(Path dataDir, KeyPair keys, X509Certificate certificate) {
        this.dataDir = dataDir;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** The key and certificate kept in {@code dataDir}; a key is made (and saved owner-only) on the first call. */
    public static ClientCertificate open(Path dataDir) throws IOException {
        Path keyFile = dataDir.resolve(KEY_FILE);
        KeyPair keys;
        try {
            if (Files.exists(keyFile)) {
                keys = read(Files.readString(keyFile, StandardCharsets.US_ASCII));
            } else {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                keys = g.generateKeyPair();
                // the public key beside it: the JDK cannot derive it from the private one
                writeOwnerOnly(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded())
                        + pem("PUBLIC KEY", keys.getPublic().getEncoded()));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("the agent key " + keyFile + " is not usable: " + e.getMessage(), e);
        }
        X509Certificate cert = null;
        Path certFile = dataDir.resolve(CERT_FILE);
        if (Files.exists(certFile)) {
            cert = parse(Files.readString(certFile, StandardCharsets.US_ASCII));
            if (!cert.getPublicKey().equals(keys.getPublic())) {
                cert = null; // of another key (a copied data dir): ask for a new one
            }
        }
        return new ClientCertificate(dataDir, keys, cert);
    }

    /** The certificate in use, if the server signed one yet. */
    public Optional<X509Certificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** When to ask for the next certificate: at two thirds of this one's lifetime, or now if there is none. */
    public Instant renewAt() {
        X509Certificate c = certificate;
        if (c == null) {
            return Instant.EPOCH;
        }
        Instant from = c.getNotBefore().toInstant();
        Duration lifetime = Duration.between(from, c.getNotAfter().toInstant());
        return from.plus(lifetime.multipliedBy(2).dividedBy(3));
    }

    /** A PEM PKCS#10 request for this key, signed by it (which proves the agent holds it). */
    public String csr() {
        try {
            // CertificationRequestInfo: version 0, an empty subject (the server names the agent), the key, no attributes
            byte[] info = der(0x30, concat(new byte[] {0x02, 0x01, 0x00}, new byte[] {0x30, 0x00},
                    keys.getPublic().getEncoded(), new byte[] {(byte) 0xa0, 0x00}));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(info);
            byte[] signature = signer.sign();
            byte[] bits = der(0x03, concat(new byte[] {0x00}, signature));
            return pem("CERTIFICATE REQUEST", der(0x30, concat(info, ECDSA_SHA256, bits)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate request", e);
        }
    }

    /**
     * Takes a certificate the server signed: it must be for this key. Written to a temporary file and moved into
     * place, so a crash leaves the old certificate or the new one, never half of one.
     */
    public void install(String pem) throws IOException {
        X509Certificate cert = parse(pem);
        if (!cert.getPublicKey().equals(keys.getPublic())) {
            throw new IOException("the server signed a certificate for another key");
        }
        Path tmp = dataDir.resolve(CERT_FILE + ".tmp");
        writeOwnerOnly(tmp, pem);
        Files.move(tmp, dataDir.resolve(CERT_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        certificate = cert;
    }

    /**
     * The certificate while it is valid: an expired one is not presented at all, so that an agent whose certificate
     * ran out (or was revoked, and then ran out) connects and renews with its bearer credential where the server
     * allows that, instead of being refused at every handshake.
     */
    private X509Certificate usable() {
        X509Certificate c = certificate;
        return c == null || !Instant.now().isBefore(c.getNotAfter().toInstant()) ? null : c;
    }

    /** Presents the current certificate to any server that asks (none until one is installed, none once expired). */
    public X509ExtendedKeyManager keyManager() {
        return new X509ExtendedKeyManager() {
            private String alias() {
                return usable() == null ? null : "agent";
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return usable() == null ? null : new String[] {"agent"};
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return alias();
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return alias();
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                X509Certificate c = usable();
                return c == null ? null : new X509Certificate[] {c};
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return keys.getPrivate();
            }
        };
    }

    private static KeyPair read(String pem) throws GeneralSecurityException {
        KeyFactory ec = KeyFactory.getInstance("EC");
        PrivateKey key = ec.generatePrivate(new PKCS8EncodedKeySpec(block(pem, "PRIVATE KEY")));
        PublicKey pub = ec.generatePublic(new X509EncodedKeySpec(block(pem, "PUBLIC KEY")));
        return new KeyPair(pub, key);
    }

    private static byte[] block(String pem, String type) throws GeneralSecurityException {
        String begin = "-----BEGIN " + type + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END " + type + "-----");
        if (from < 0 || to < from) {
            throw new GeneralSecurityException("no " + type + " block");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }

    private static X509Certificate parse(String pem) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** One DER element: tag, definite length, content. */
    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
