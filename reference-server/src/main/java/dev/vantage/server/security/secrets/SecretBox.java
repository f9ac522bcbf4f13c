package dev.vantage.server.security.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.Secrets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets stored in the database with AES-256-GCM: {@code v1:<keyId>:<base64(nonce | ciphertext | tag)>},
 * a random 96-bit nonce per value and the value's place ({@code <table>/<row id>/<field>}) as associated data, so a
 * value copied to another row or field does not open. New values are sealed with the current key; every configured
 * key opens the values it sealed, which is what lets {@code rotate-secrets} move them to a new key.
 */
public final class SecretBox {
    private static final String VERSION = "v1";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern SEALED = Pattern.compile(VERSION + ":[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/]+={0,2}");
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKey> keys;
    private final String currentId;

    private SecretBox(Map<String, SecretKey> keys, String currentId) {
        this.keys = Map.copyOf(keys);
        this.currentId = currentId;
    }

    /**
     * Keys written {@code <id>:<base64 of 32 bytes>,...}; {@code currentId} seals new values and may be empty when
     * there is one key.
     *
     * @throws IllegalArgumentException saying what is wrong, never showing a key
     */
    public static SecretBox parse(String keyList, String currentId) {
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        for (String entry : keyList.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("each key must be <id>:<base64 key> with an id of 1-32 letters, digits,"
                        + " '.', '_' or '-'");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the key '" + id + "' is not base64");
            }
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException("the key '" + id + "' must be 32 bytes (openssl rand -base64 32), got "
                        + key.length);
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException("the key id '" + id + "' is given twice");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no key given");
        }
        String current = currentId.isEmpty() && keys.size() == 1 ? keys.keySet().iterator().next() : currentId;
        if (!keys.containsKey(current)) {
            throw new IllegalArgumentException(current.isEmpty()
                    ? "several keys are given: name the current one" : "the current key '" + current + "' is not among the keys");
        }
        return new SecretBox(keys, current);
    }

    /** A new random key in the form {@link #parse} reads: {@code <id>:<base64 key>}. */
    static String newKey(String id) {
        return id + ":" + Base64.getEncoder().encodeToString(Secrets.randomBytes(KEY_BYTES));
    }

    /** The id of the key that seals new values. */
    public String currentKeyId() {
        return currentId;
    }

    /** Whether {@code text} has the form of a sealed value (it may still not open). */
    public static boolean isSealed(String text) {
        return text != null && SEALED.matcher(text).matches();
    }

    /** Seals {@code plaintext} for the place {@code where} ({@code <table>/<row id>/<field>}). */
    public String seal(String plaintext, String where) {
        byte[] nonce = Secrets.randomBytes(NONCE_BYTES);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(currentId), nonce, where);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return VERSION + ":" + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
    }

    /**
     * Opens a value sealed for {@code where}.
     *
     * @throws UnreadableSecretException if it is not a sealed value, its key is not configured, or it was altered or
     *                                   sealed for another place: never a wrong plaintext
     */
    public String open(String sealed, String where) {
        if (!isSealed(sealed)) {
            throw new UnreadableSecretException(where + " is not a sealed value");
        }
        String keyId = keyId(sealed);
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new UnreadableSecretException(where + " was sealed with the key '" + keyId
                    + "', which is not configured (VANTAGE_SECRETS_KEYS)");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(sealed.substring(sealed.lastIndexOf(':') + 1));
        } catch (IllegalArgumentException e) {
            data = new byte[0];
        }
        if (data.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new UnreadableSecretException(where + " is not a sealed value (bad base64 or too short)");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(data, NONCE_BYTES), where);
            return new String(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new UnreadableSecretException(where + " does not open with the key '" + keyId
                    + "': the value was altered, copied from another row or field, or sealed with another key of that id");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JDK", e);
        }
    }

    /**
     * Seals the named fields of {@code object} in place, each value as its JSON text, for the place
     * {@code where + field}. Missing and null fields stay as they are.
     */
    public void sealFields(ObjectNode object, Collection<String> fields, String where) {
        for (String field : fields) {
            JsonNode value = object.get(field);
            if (value != null && !value.isNull()) {
                object.put(field, seal(JsonMapping.write(value), where + field));
            }
        }
    }

    /**
     * Opens the named fields of {@code object} in place. A field that is not sealed is plaintext stored before it
     * was secret (an older version, or a plugin that made a parameter secret later): it is used as it is, and
     * {@code rotate-secrets} seals it.
     */
    public void openFields(ObjectNode object, Collection<String> fields, String where) {
        for (String field : fields) {
            JsonNode value = object.get(field);
            if (value != null && value.isTextual() && isSealed(value.textValue())) {
                object.set(field, JsonMapping.parseStored(open(value.textValue(), where + field)));
            }
        }
    }

    /**
     * Seals again, with the current key, every named field that is plaintext or sealed with another key.
     *
     * @return how many fields changed
     */
    public int resealFields(ObjectNode object, Collection<String> fields, String where) {
        int changed = 0;
        for (String field : fields) {
            JsonNode value = object.get(field);
            if (value == null || value.isNull()
                    || value.isTextual() && isSealed(value.textValue()) && keyId(value.textValue()).equals(currentId)) {
                continue;
            }
            ObjectNode one = object.objectNode();
            one.set(field, value);
            openFields(one, java.util.List.of(field), where);
            sealFields(one, java.util.List.of(field), where);
            object.set(field, one.get(field));
            changed++;
        }
        return changed;
    }

    /** A stored JSON text sealed again: {@code json} is null when none of its {@code values} changed. */
    public record Resealed(String json, int values) {
    }

    private static String keyId(String sealed) {
        return sealed.substring(VERSION.length() + 1, sealed.lastIndexOf(':'));
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String where) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(where.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    @Override
    public String toString() {
        return "SecretBox[keys=" + keys.keySet() + ", current=" + currentId + "]";
    }
}
