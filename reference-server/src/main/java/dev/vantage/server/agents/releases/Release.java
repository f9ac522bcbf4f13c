package dev.vantage.server.agents.releases;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An agent release: the agent jar of {@code version}, its SHA-256 (hex) and the release key's Ed25519 signature
 * (base64) over the version and checksum ({@code Message.Update.signedText}). {@code received} bytes of {@code size}
 * are stored; it is {@code ready} once all arrived and matched the checksum.
 */
public record Release(String version, long size, String sha256, String signature, long received, boolean ready,
                      String uploadedBy, Instant createdAt) {

    /** The API's JSON form. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("size", size);
        m.put("sha256", sha256);
        m.put("signature", signature);
        m.put("received", received);
        m.put("ready", ready);
        m.put("uploadedBy", uploadedBy);
        m.put("createdAt", createdAt.toString());
        return m;
    }
}
