package dev.vantage.agent.update;

import dev.vantage.agent.protocol.Message;
import dev.vantage.agent.protocol.Message.UpdateStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent's half of self-update: takes an {@code update} order, downloads the release over HTTP from the
 * server it is connected to (with its own credential), checks size, SHA-256 and the pinned release key's Ed25519
 * signature, installs it beside the current version and asks the launcher to try it ({@link Versions#EXIT_SWITCH}).
 * A refused artifact is deleted, reported with its reason, and nothing is switched. On trial, the first welcome
 * makes the version healthy; after a rollback, the first welcome reports it. Statuses go to the server through
 * {@code report} (the uplink's outbox).
 */
public final class Updater {
    private static final Logger LOG = LoggerFactory.getLogger(Updater.class);
    /** Largest artifact accepted, whatever the order says. */
    public static final long MAX_BYTES = 256L << 20;

    private final Versions versions;
    private final Versions.Launch launch;
    private final PublicKey releaseKey;
    private final Supplier<URI> server;
    private final String authorization;
    private final HttpClient http;
    private final Consumer<Message> report;
    private final Runnable switchNow;
    private final AtomicReference<String> busy = new AtomicReference<>();
    private boolean welcomedOnce;

    /**
     * @param launch     what the launcher said, or null when the agent was not started by {@code vantage-agent launch}
     * @param releaseKey the pinned release key, or null when none was given (updates are then refused)
     * @param server     the agent WebSocket URI in use now
     * @param switchNow  stops the agent with {@link Versions#EXIT_SWITCH}
     */
    public Updater(Versions versions, Versions.Launch launch, PublicKey releaseKey, Supplier<URI> server,
                   String authorization, javax.net.ssl.SSLContext tls, Consumer<Message> report, Runnable switchNow) {
        this.versions = versions;
        this.launch = launch;
        this.releaseKey = releaseKey;
        this.server = server;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(tls).build();
        this.report = report;
        this.switchNow = switchNow;
    }

    /** The release the launcher started, or null for the jar the agent was started from. */
    public String release() {
        return launch == null ? null : launch.release();
    }

    /** What to tell the server after a welcome: a trial version is healthy now; a rollback happened. */
    public List<Message> welcomed() {
        List<Message> out = new ArrayList<>();
        if (welcomedOnce || launch == null) {
            return out;
        }
        welcomedOnce = true;
        if (launch.rolledBack() != null) {
            LOG.warn("version {} was rolled back: {}", launch.rolledBack(), launch.reason());
            out.add(new UpdateStatus(launch.rolledBack(), UpdateStatus.ROLLED_BACK, launch.reason()));
        }
        if (launch.trial()) {
            try {
                versions.markHealthy(launch.release());
                LOG.info("version {} is connected and welcomed: healthy", launch.release());
                out.add(new UpdateStatus(launch.release(), UpdateStatus.HEALTHY, null));
            } catch (IOException e) {
                LOG.error("cannot mark version {} healthy; the launcher will roll it back: {}", launch.release(), e.toString());
            }
        }
        return out;
    }

    /** Handles an {@code update} order; the download runs on its own thread. Returns the replies to send now. */
    public List<Message> apply(Message.Update order) {
        String version = order.version();
        String refusal = refusal(order);
        if (refusal != null) {
            LOG.warn("update to {} refused: {}", version, refusal);
            return List.of(new UpdateStatus(version, UpdateStatus.FAILED, refusal));
        }
        if (version.equals(release())) {
            return List.of(new UpdateStatus(version, UpdateStatus.HEALTHY, null)); // already there
        }
        if (!busy.compareAndSet(null, version)) {
            String other = busy.get();
            return version.equals(other) ? List.of() // an order repeated while its download runs
                    : List.of(new UpdateStatus(version, UpdateStatus.FAILED, "still installing version " + other));
        }
        Thread.ofVirtual().name("vantage-update").start(() -> run(order));
        return List.of(new UpdateStatus(version, UpdateStatus.DOWNLOADING, null));
    }

    private String refusal(Message.Update order) {
        if (!Versions.VERSION.matcher(order.version()).matches()) {
            return "version '" + order.version() + "' is not a release version";
        }
        if (launch == null) {
            return "this agent was not started by 'vantage-agent launch', which keeps versions: it cannot switch";
        }
        if (releaseKey == null) {
            return "no release key is pinned (--release-key or VANTAGE_RELEASE_KEY): updates are refused";
        }
        if (order.version().equals(launch.rolledBack())) {
            return "version " + order.version() + " was just rolled back on this agent: not trying it again";
        }
        if (order.size() < 1 || order.size() > MAX_BYTES) {
            return "size " + order.size() + " is outside 1.." + MAX_BYTES + " bytes";
        }
        return null;
    }

    private void run(Message.Update order) {
        UpdateStatus outcome = attempt(order);
        if (outcome == null || !outcome.state().equals(UpdateStatus.SWITCHING)) {
            busy.set(null); // free for the next order before the server hears of this one (switching: the agent stops)
        }
        if (outcome == null) {
            return; // interrupted: the agent is stopping
        }
        report.accept(outcome);
        if (outcome.state().equals(UpdateStatus.SWITCHING)) {
            switchNow.run();
        }
    }

    /** Downloads, verifies and installs; what to report, once the download file is gone whatever happened. */
    private UpdateStatus attempt(Message.Update order) {
        String version = order.version();
        Path part = null;
        try {
            part = versions.download(version);
            String sha256 = download(order, part);
            // both checks, so a tampered artifact or a forged order is refused before anything is switched
            if (!sha256.equalsIgnoreCase(order.sha256())) {
                throw new Refused("its SHA-256 " + sha256 + " is not the " + order.sha256() + " the server announced");
            }
            if (!ReleaseKeys.verify(releaseKey, version, sha256, order.signature())) {
                throw new Refused("its signature does not verify with the pinned release key: the artifact or its"
                        + " version was tampered with, or it was signed by another key");
            }
            versions.install(version, part);
            versions.setTrial(version);
            LOG.info("version {} verified and installed; switching to it", version);
            return new UpdateStatus(version, UpdateStatus.SWITCHING, null);
        } catch (Refused e) {
            LOG.error("release {} refused: {}", version, e.getMessage());
            return new UpdateStatus(version, UpdateStatus.FAILED, "refused: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.warn("update to {} failed: {}", version, e.toString());
            return new UpdateStatus(version, UpdateStatus.FAILED, "download failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", part, e.toString());
                }
            }
        }
    }

    /** Downloads into {@code to}, at most the announced size; returns the hex SHA-256 of what arrived. */
    private String download(Message.Update order, Path to) throws IOException, InterruptedException, Refused {
        URI uri = releaseUri(server.get(), order.version());
        HttpResponse<InputStream> res = http.send(HttpRequest.newBuilder(uri).header("Authorization", authorization)
                .timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = res.body(); OutputStream out = Files.newOutputStream(to)) {
            if (res.statusCode() != 200) {
                throw new IOException(uri + " answered HTTP " + res.statusCode());
            }
            MessageDigest sha = sha256();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > order.size()) {
                    throw new Refused("it is larger than the " + order.size() + " bytes the server announced");
                }
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            if (total != order.size()) {
                throw new IOException("got " + total + " of " + order.size() + " bytes");
            }
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    /** {@code ws://host/ws/agent} → {@code http://host/ws/agent/releases/<version>} ({@code wss} → {@code https}). */
    static URI releaseUri(URI ws, String version) {
        String scheme = "wss".equalsIgnoreCase(ws.getScheme()) ? "https" : "http";
        String path = Objects.requireNonNullElse(ws.getRawPath(), "").replaceAll("/+$", "");
        return URI.create(scheme + "://" + ws.getRawAuthority() + path + "/releases/" + Versions.checkVersion(version));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The artifact is not the release it claims to be. */
    private static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }
}
