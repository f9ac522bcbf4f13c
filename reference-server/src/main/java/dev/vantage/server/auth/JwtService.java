package dev.vantage.server.auth;

import dev.vantage.server.errors.NotAuthenticatedException;
import dev.vantage.server.security.Secrets;
import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.vantage.server.config.ConfigException;
import dev.vantage.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Issues and checks the server's JWTs: HS256 only (the algorithm is pinned, so {@code alg:none} and every other
 * algorithm fail), and {@code exp}, {@code iat}, {@code iss}, {@code aud}, {@code sub} and the session id
 * {@code sid} are required. {@code use} tells access tokens from refresh tokens, so one cannot stand in for the
 * other.
 */
public final class JwtService {
    /** The token's purpose claim. */
    public enum Use { ACCESS, REFRESH }

    /** What a valid token says. */
    public record Claims(String userId, String sessionId, int tokenVersion, String tokenId) {
    }

    private static final int MIN_SECRET_BYTES = 32;
    private final Algorithm algorithm;
    private final String issuer;
    private final String audience;
    private final Duration accessTtl;
    private final Duration refreshTtl;
    private final Clock clock;

    public JwtService(String secret, String issuer, String audience, Duration accessTtl, Duration refreshTtl, Clock clock) {
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new ConfigException("vantage.auth.jwt-secret (VANTAGE_JWT_SECRET): must be at least "
                    + MIN_SECRET_BYTES + " bytes for HS256");
        }
        this.algorithm = Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
        this.issuer = issuer;
        this.audience = audience;
        this.accessTtl = accessTtl;
        this.refreshTtl = refreshTtl;
        this.clock = clock;
    }

    /** The configured secret, or else the one in {@code <data-dir>/jwt-secret}, made on first start (owner-only). */
    public static JwtService create(ServerConfig config, Clock clock) {
        String secret = config.jwtSecret().isEmpty() ? secretFile(config.dataDir()) : config.jwtSecret().value();
        return new JwtService(secret, config.jwtIssuer(), config.jwtAudience(), config.accessTokenTtl(),
                config.refreshTokenTtl(), clock);
    }

    private static String secretFile(Path dataDir) {
        Path file = dataDir.resolve("jwt-secret");
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file); // not a POSIX file system; the data directory's ACL applies
                } catch (FileAlreadyExistsException e) {
                    return Files.readString(file).trim(); // another process made it first
                }
                Files.writeString(file, Secrets.randomToken(""));
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    public Duration accessTtl() {
        return accessTtl;
    }

    public Duration refreshTtl() {
        return refreshTtl;
    }

    public String issue(Use use, String userId, String sessionId, int tokenVersion) {
        Instant now = clock.instant();
        return JWT.create()
                .withIssuer(issuer)
                .withAudience(audience)
                .withSubject(userId)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(use == Use.ACCESS ? accessTtl : refreshTtl))
                .withJWTId(UUID.randomUUID().toString()) // two tokens issued in one second still differ
                .withClaim("sid", sessionId)
                .withClaim("ver", tokenVersion)
                .withClaim("use", use.name().toLowerCase(java.util.Locale.ROOT))
                .sign(algorithm);
    }

    /** @throws NotAuthenticatedException for anything but a valid, unexpired token of this use from this server */
    public Claims verify(String token, Use use) {
        JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withIssuer(issuer)
                .withAudience(audience)
                .withClaimPresence("exp")
                .withClaimPresence("iat")
                .withClaimPresence("sub")
                .withClaimPresence("sid")
                .withClaimPresence("ver")
                .withClaim("use", use.name().toLowerCase(java.util.Locale.ROOT)))
                .build(clock);
        try {
            DecodedJWT jwt = verifier.verify(token);
            Integer version = jwt.getClaim("ver").asInt();
            String sid = jwt.getClaim("sid").asString();
            if (version == null || sid == null) {
                throw new NotAuthenticatedException();
            }
            return new Claims(jwt.getSubject(), sid, version, jwt.getId());
        } catch (JWTVerificationException e) {
            throw new NotAuthenticatedException();
        }
    }
}
