package dev.vantage.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    private final Passwords passwords = new Passwords();

    @Test
    void hashesAreArgon2idWithOwaspParametersInPhcForm() {
        String hash = passwords.hash("correct horse battery staple");
        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(passwords.hash("correct horse battery staple")).isNotEqualTo(hash); // salted
        assertThat(passwords.verify("correct horse battery staple", hash)).isTrue();
        assertThat(passwords.verify("correct horse battery stapler", hash)).isFalse();
        assertThat(passwords.verify("x", "not a hash")).isFalse();
        assertThat(passwords.verify("x", null)).isFalse();
    }

    @Test
    void verifiesAHashMadeByTheReferenceImplementation() {
        // echo -n password | argon2 somesaltsomesalt -id -m 10 -t 2 -p 1 -l 32 -e   (Debian package argon2)
        String phc = "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA";
        assertThat(passwords.verify("password", phc)).isTrue();
        assertThat(passwords.verify("Password", phc)).isFalse();
    }
}
