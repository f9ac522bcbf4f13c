package dev.vantage.agent.update;

import dev.vantage.agent.protocol.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The release key: an Ed25519 key pair (the JDK's {@code Ed25519}) whose private half signs agent releases and whose
 * public half every agent pins. Keys are PEM files in the forms OpenSSL writes ({@code openssl genpkey -algorithm
 * ed25519}: PKCS#8 {@code PRIVATE KEY}; {@code openssl pkey -pubout}: X.509 {@code PUBLIC KEY}), so either tool can
 * make them. What is signed is {@link Message.Update#signedText}: the version and the artifact's SHA-256.
 */
public final class ReleaseKeys {
    private static final String ALGORITHM = "Ed25519";

    private ReleaseKeys() {
    }

    /** A new key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    public static String privatePem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /**
     * The public key in a PEM file.
     *
     * @throws IllegalArgumentException naming the file if it is not an Ed25519 public key
     */
    public static PublicKey readPublic(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(file, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 public key: " + e.getMessage());
        }
    }

    /** The private key in a PEM file; as {@link #readPublic}. */
    public static PrivateKey readPrivate(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(file, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 private key: " + e.getMessage());
        }
    }

    /** The base64 signature of release {@code version} whose artifact has checksum {@code sha256} (hex). */
    public static String sign(PrivateKey key, String version, String sha256) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(Message.Update.signedText(version, sha256).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} (base64) is the key's signature of release {@code version} with {@code sha256}. */
    public static boolean verify(PublicKey key, String version, String sha256, String signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(Message.Update.signedText(version, sha256).getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false; // not base64, or not an Ed25519 signature at all
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(Path file, String type) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN " + type + "-----");
        int end = text.indexOf("-----END " + type + "-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(file + " holds no PEM '" + type + "' block");
        }
        String body = text.substring(begin + type.length() + 16, end).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the PEM block is not base64");
        }
    }
}
