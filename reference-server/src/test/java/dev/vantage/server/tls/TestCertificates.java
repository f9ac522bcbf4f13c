package dev.vantage.server.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA that issues server certificates for 127.0.0.1 and writes them as PEM files (BouncyCastle). */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate, its key, and the PEM files they were written to. */
    record Issued(X509Certificate certificate, KeyPair keys) {
    }

    private final KeyPair caKeys;
    private final X509Certificate ca;

    TestCertificates() throws Exception {
        this.caKeys = ecKeys();
        X500Name name = new X500Name("CN=Vantage test CA");
        Instant now = Instant.now();
        org.bouncycastle.cert.X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofDays(1))), name,
                caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.ca = sign(builder, caKeys);
    }

    X509Certificate ca() {
        return ca;
    }

    /** A server certificate for the IP address 127.0.0.1 with a fresh key, named {@code cn}. */
    Issued server(String cn) throws Exception {
        KeyPair keys = ecKeys();
        Instant now = Instant.now();
        org.bouncycastle.cert.X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=Vantage test CA"),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + cn), keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        return new Issued(sign(builder, caKeys), keys);
    }

    /** A client certificate as the agents' CA would issue for {@code agentId}, valid from {@code from} to {@code to}. */
    Issued client(String agentId, Instant from, Instant to) throws Exception {
        KeyPair keys = ecKeys();
        org.bouncycastle.cert.X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=Vantage test CA"),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to),
                new X500Name("CN=" + agentId), keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(GeneralName.uniformResourceIdentifier, "urn:vantage:agent:" + agentId)));
        return new Issued(sign(builder, caKeys), keys);
    }

    /** A certificate for {@code agentId} that signs itself. */
    static Issued selfSigned(String agentId) throws Exception {
        KeyPair keys = ecKeys();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + agentId);
        org.bouncycastle.cert.X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        new GeneralName(GeneralName.uniformResourceIdentifier, "urn:vantage:agent:" + agentId)));
        return new Issued(sign(builder, keys), keys);
    }

    void writeCaKey(Path file) throws IOException {
        writeKey(file, caKeys);
    }

    static void writeCertificate(Path file, X509Certificate... chain) throws IOException, GeneralSecurityException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate c : chain) {
            pem.append(pem("CERTIFICATE", c.getEncoded()));
        }
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }

    /** The private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    static void writeKey(Path file, KeyPair keys) throws IOException {
        Files.writeString(file, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(org.bouncycastle.cert.X509v3CertificateBuilder builder, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }
}
