package dev.vantage.agent.cli;

import dev.vantage.agent.update.ReleaseKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vantage-agent release-key generate|sign}: the release key pair, and signing an agent release with it. */
@Command(name = "release-key", mixinStandardHelpOptions = true,
        description = "Make the Ed25519 release key pair, and sign agent releases with it (docs/agent-updates.md).",
        subcommands = {ReleaseKeyCommand.Generate.class, ReleaseKeyCommand.Sign.class})
public final class ReleaseKeyCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write a new key pair: <name>.key (private, owner-only; keep it off the servers) and "
                    + "<name>.pub (public: give it to every agent as --release-key).")
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", defaultValue = "release", description = "Path and name of the files (default: release).")
        Path out;

        @Override
        public Integer call() throws IOException {
            Path key = Path.of(out + ".key");
            Path pub = Path.of(out + ".pub");
            if (Files.exists(key) || Files.exists(pub)) {
                spec.commandLine().getErr().println("--out: " + key + " or " + pub + " exists; not overwriting a key");
                return 2;
            }
            KeyPair pair = ReleaseKeys.generate();
            Files.createFile(key);
            if (key.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(key, ReleaseKeys.privatePem(pair.getPrivate()));
            Files.writeString(pub, ReleaseKeys.publicPem(pair.getPublic()));
            spec.commandLine().getOut().println("wrote " + key + " (private) and " + pub + " (public)");
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = "Print the release's SHA-256 and its signature (base64) for uploading it as --version.")
    static final class Sign implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--key", required = true, description = "The private key (PEM, from 'generate' or openssl).")
        Path key;

        @Option(names = "--version", required = true, description = "The version the release is uploaded as.")
        String version;

        @Parameters(paramLabel = "JAR", description = "The agent jar to release.")
        Path jar;

        @Override
        public Integer call() throws IOException {
            if (!dev.vantage.agent.update.Versions.VERSION.matcher(version).matches()) {
                spec.commandLine().getErr().println("--version: '" + version + "' is not a release version "
                        + "(letters, digits, . + _ -; up to 64)");
                return 2;
            }
            String sha256;
            try (InputStream in = Files.newInputStream(jar)) {
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                }
                sha256 = HexFormat.of().formatHex(d.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            String signature;
            try {
                signature = ReleaseKeys.sign(ReleaseKeys.readPrivate(key), version, sha256);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("--key: " + e.getMessage());
                return 2;
            }
            spec.commandLine().getOut().println("sha256: " + sha256);
            spec.commandLine().getOut().println("signature: " + signature);
            return 0;
        }
    }
}
