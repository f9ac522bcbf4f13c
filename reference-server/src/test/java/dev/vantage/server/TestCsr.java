package dev.vantage.server;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A fresh EC P-256 key pair and a PEM certificate request signed by it, as an agent makes them. */
public record TestCsr(KeyPair keys, String pem) {
    public static TestCsr create() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = g.generateKeyPair();
            var request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=whatever-the-agent-asks"),
                    keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(request);
            }
            return new TestCsr(keys, out.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
