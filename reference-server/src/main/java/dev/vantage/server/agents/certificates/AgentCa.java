package dev.vantage.server.agents.certificates;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The internal CA of agents' client certificates: signs an agent's CSR into a short-lived certificate bound to the
 * agent's id (subject {@code CN=<id>}, SAN {@code urn:vantage:agent:<id>}), and checks a presented chain against
 * itself alone (PKIX: signature, validity dates, key usage). Immutable.
 */
public final class AgentCa {
    static final String URI_PREFIX = "urn:vantage:agent:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final X509TrustManager pkix;

    AgentCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
        this.pkix = pkix(certificate);
    }

    /** A new CA with an EC P-256 key, valid ten years. */
    static AgentCa generate(Instant now) {
        try {
            KeyPair keys = ecKeys();
            X500Name name = new X500Name("CN=Vantage agent CA,O=Vantage");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(Duration.ofDays(3650))), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            return new AgentCa(sign(b, keys.getPrivate()), keys.getPrivate());
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the agent CA", e);
        }
    }

    /** The CA from PEM texts: a certificate and its private key (PKCS#8 or the traditional EC/RSA forms). */
    static AgentCa fromPem(String certificatePem, String keyPem) {
        X509Certificate cert = certificate(certificatePem)
                .orElseThrow(() -> new IllegalArgumentException("holds no PEM certificate"));
        return new AgentCa(cert, privateKey(keyPem));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    String certificatePem() {
        return pem(certificate);
    }

    /** PKCS#8, as {@code openssl pkcs8} writes it. */
    String keyPem() {
        return "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** What a CSR was refused for, in words for the problem body. */
    static final class BadCsr extends Exception {
        private static final long serialVersionUID = 1L;

        BadCsr(String message) {
            super(message);
        }
    }

    /**
     * Signs the public key of {@code csrPem} (whose signature proves the agent holds the private key) into a client
     * certificate for {@code agentId}; whatever names the CSR asks for are ignored.
     */
    X509Certificate issue(String agentId, String csrPem, Duration lifetime, Instant now) throws BadCsr {
        PublicKey subjectKey = verifiedKey(csrPem);
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now),
                    Date.from(now.plus(lifetime)), new X500Name("CN=" + agentId + ",O=Vantage agents"), subjectKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, URI_PREFIX + agentId)))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            return sign(b, key);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot sign an agent certificate", e);
        }
    }

    static PublicKey verifiedKey(String csrPem) throws BadCsr {
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            Object o = parser.readObject();
            if (!(o instanceof PKCS10CertificationRequest r)) {
                throw new BadCsr("no PEM block -----BEGIN CERTIFICATE REQUEST-----");
            }
            csr = r;
        } catch (IOException | RuntimeException e) {
            throw new BadCsr("unreadable PEM: " + e.getMessage());
        }
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                throw new BadCsr("its signature does not match its key");
            }
            PublicKey pk = new JcaPKCS10CertificationRequest(csr).getPublicKey();
            boolean p256 = pk instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256;
            if (!p256 && !pk.getAlgorithm().equals("Ed25519")) {
                throw new BadCsr("the key must be EC P-256 or Ed25519, not " + pk.getAlgorithm());
            }
            return pk;
        } catch (OperatorCreationException | PKCSException | GeneralSecurityException e) {
            throw new BadCsr("unverifiable: " + e.getMessage());
        }
    }

    /** Why a presented certificate is refused (the {@code reason} tag of the refusal counter). */
    public enum Refusal { EXPIRED, UNTRUSTED, NO_AGENT, REVOKED, OTHER_AGENT }

    /**
     * Checks that {@code chain} was issued by this CA and is valid now.
     *
     * @return empty when it is, else why not
     */
    Optional<Refusal> verify(X509Certificate[] chain) {
        try {
            // ECDHE_ECDSA is only the JDK's label for the check; a client's auth type does not change PKIX's verdict
            pkix.checkClientTrusted(chain, "ECDHE_ECDSA");
            return Optional.empty();
        } catch (CertificateException e) {
            return Optional.of(expired(e) ? Refusal.EXPIRED : Refusal.UNTRUSTED);
        }
    }

    private static boolean expired(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                    || (t instanceof CertPathValidatorException v
                        && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED)) {
                return true;
            }
        }
        return false;
    }

    /** The agent id a certificate of ours names in its SAN, if any. */
    static Optional<String> agentId(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return Optional.empty();
            }
            return names.stream()
                    .filter(n -> Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(n.get(0)))
                    .map(n -> String.valueOf(n.get(1)))
                    .filter(u -> u.startsWith(URI_PREFIX) && u.length() > URI_PREFIX.length())
                    .map(u -> u.substring(URI_PREFIX.length()))
                    .findFirst();
        } catch (CertificateException e) {
            return Optional.empty();
        }
    }

    static String serialOf(X509Certificate cert) {
        return cert.getSerialNumber().toString(16);
    }

    static Optional<X509Certificate> certificate(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o instanceof org.bouncycastle.cert.X509CertificateHolder h) {
                return Optional.of(new JcaX509CertificateConverter().getCertificate(h));
            }
            return Optional.empty();
        } catch (IOException | CertificateException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static PrivateKey privateKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException("holds no unencrypted PEM private key");
        } catch (IOException e) {
            throw new IllegalArgumentException("is not a PEM private key: " + e.getMessage(), e);
        }
    }

    static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static X509TrustManager pkix(X509Certificate ca) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("agent-ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(store);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot trust the agent CA", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, CertificateException {
        String algorithm = switch (signer.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> signer.getAlgorithm(); // Ed25519
        };
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signer)));
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
