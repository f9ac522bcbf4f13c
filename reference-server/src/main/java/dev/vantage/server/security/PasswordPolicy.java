package dev.vantage.server.security;

import dev.vantage.server.config.ConfigException;
import dev.vantage.server.errors.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a new password must be (OWASP ASVS 4.0.3, V2.1): 12 to 128 characters, counted as Unicode code points (for
 * the minimum, a run of spaces counts as one); any
 * character allowed, spaces and emoji included; no composition rules; never truncated; and, unless switched off, not
 * on a list of common (breached) passwords. Every way a password is set goes through here: the users API, the
 * password change, the bootstrap admin and {@code reset-admin}.
 */
public final class PasswordPolicy {
    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 128;
    /** The {@code vantage.auth.password-blocklist} value for the list shipped in the jar. */
    public static final String BUILTIN = "builtin";
    /** The {@code vantage.auth.password-blocklist} value for no list at all. */
    public static final String OFF = "off";
    private static final String BUILTIN_RESOURCE = "common-passwords.txt";
    private static final Pattern RUN_OF_SPACES = Pattern.compile(" {2,}");

    private final Set<String> common;

    private PasswordPolicy(Set<String> common) {
        this.common = Set.copyOf(common);
    }

    /**
     * The policy with the blocklist {@code blocklist}: {@link #BUILTIN}, {@link #OFF}, or the path of a file with one
     * password a line (UTF-8; blank lines and lines starting with {@code #} are skipped; entries shorter than
     * {@link #MIN_LENGTH} are refused anyway, so they are not kept). Matching ignores case.
     *
     * @throws ConfigException if the file cannot be read
     */
    public static PasswordPolicy of(String blocklist) {
        if (blocklist == null || blocklist.isBlank() || blocklist.equals(BUILTIN)) {
            try (InputStream in = PasswordPolicy.class.getResourceAsStream(BUILTIN_RESOURCE)) {
                return new PasswordPolicy(read(in));
            } catch (IOException e) {
                throw new IllegalStateException("the built-in password list is missing from the jar", e);
            }
        }
        if (blocklist.equals(OFF)) {
            return new PasswordPolicy(Set.of());
        }
        try (InputStream in = Files.newInputStream(Path.of(blocklist))) {
            return new PasswordPolicy(read(in));
        } catch (IOException e) {
            throw new ConfigException("vantage.auth.password-blocklist (VANTAGE_PASSWORD_BLOCKLIST): cannot read "
                    + blocklist + " (" + e.getMessage() + "); use a readable file, '" + BUILTIN + "' or '" + OFF + "'");
        }
    }

    private static Set<String> read(InputStream in) throws IOException {
        if (in == null) {
            throw new IOException("not found");
        }
        Set<String> found = new HashSet<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.startsWith("#") && line.codePointCount(0, line.length()) >= MIN_LENGTH) {
                    found.add(key(line));
                }
            }
        }
        return found;
    }

    private static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String key(String password) {
        return password.toLowerCase(Locale.ROOT);
    }

    /** How many passwords the blocklist holds (0 when it is off). */
    public int blocklistSize() {
        return common.size();
    }

    /** Why {@code password} cannot be set, or {@code null} if it can. */
    public Message weakness(String password) {
        if (password == null || codePoints(RUN_OF_SPACES.matcher(password).replaceAll(" ")) < MIN_LENGTH) {
            return Message.of("password.short", MIN_LENGTH); // ASVS 2.1.1: counted after runs of spaces are combined
        }
        if (codePoints(password) > MAX_LENGTH) {
            return Message.of("password.long", MAX_LENGTH);
        }
        if (common.contains(key(password))) {
            return Message.of("password.common");
        }
        return null;
    }
}
