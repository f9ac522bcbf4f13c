package dev.vantage.plugins.tcp;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.TlsFacts;
import dev.vantage.probe.plugin.support.Bytes;
import dev.vantage.probe.plugin.support.ConnectFailure;
import dev.vantage.probe.plugin.support.Expectation;
import dev.vantage.probe.plugin.support.HostPort;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.TrustCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/** One configured TCP probe. Blocking I/O on the caller's (virtual) thread; attempts share no mutable state. */
final class TcpProbe implements Probe {
    private final HostPort target;
    private final IpVersion family;
    private final boolean tls;
    private final String serverName;
    private final boolean verifyTls;
    private final byte[] send;
    private final Expectation expect;
    private final int readBytes;

    TcpProbe(HostPort target, IpVersion family, boolean tls, String serverName, boolean verifyTls,
             byte[] send, Expectation expect, int readBytes) {
        this.target = target;
        this.family = family;
        this.tls = tls;
        this.serverName = serverName;
        this.verifyTls = verifyTls;
        this.send = send;
        this.expect = expect;
        this.readBytes = readBytes;
    }

    @Override
    public CompletionStage<ProbeResult> run(ProbeContext ctx) {
        ProbeResult.Builder result = ctx.newResult();
        long start = System.nanoTime();
        Socket plain = new Socket();
        Socket open = plain;
        ctx.onCancel(() -> close(plain)); // closing a plain socket does not block; it wakes any blocked call
        try {
            try {
                InetAddress address = family.choose(target.host(), ctx.resolve(target.host()));
                if (!HostPort.isLiteral(target.host())) {
                    phase(result, "dns", start); // an IP literal asks no resolver: it has no dns phase
                }
                // everything the connect call does not need to do is done before its clock read, so that at one
                // attempt a second (interpreted code, no JIT) the phase still holds the handshake and little else
                InetSocketAddress remote = new InetSocketAddress(address, target.port());
                ctx.checkAddress(remote);
                result.attribute("remoteAddress", address.getHostAddress());
                int connectMillis = millisLeft(ctx, "connect");
                long mark;
                try {
                    plain.setTcpNoDelay(true); // creates the socket now rather than inside connect
                    long before = System.nanoTime();
                    plain.connect(remote, connectMillis);
                    mark = phase(result, "connect", before);
                } catch (IOException e) {
                    throw ConnectFailure.of(e, remote);
                }

                if (tls) {
                    open = handshake(ctx, plain, result);
                    mark = phase(result, "tls", mark);
                }
                if (send != null || expect != null) {
                    exchange(ctx, open, result, mark);
                }
            } catch (ProbeException e) {
                // a socket closed under us by cancellation or at the deadline fails in odd ways; say what happened
                boolean interrupted = (ctx.isCancelled() || ctx.remaining().isZero())
                        && e.kind() != ErrorKind.TIMEOUT;
                result.error((interrupted ? cancelled(ctx) : e).toError());
            }
            result.durationNanos(System.nanoTime() - start); // the total leaves out closing
        } finally {
            close(open);
            close(plain);
        }
        return CompletableFuture.completedFuture(result.build());
    }

    private SSLSocket handshake(ProbeContext ctx, Socket plain, ProbeResult.Builder result) throws ProbeException {
        String sni = HostPort.isLiteral(serverName) ? null : serverName;
        int millis = millisLeft(ctx, "TLS handshake");
        // SO_TIMEOUT bounds each read, not the handshake's many reads nor a cold JVM's set-up and CPU between them:
        // closing the socket at the deadline does, so the attempt ends there with its own result
        CompletableFuture<Void> handshaking = new CompletableFuture<>();
        handshaking.orTimeout(millis, TimeUnit.MILLISECONDS).whenComplete((done, late) -> {
            if (late != null) {
                close(plain);
            }
        });
        try {
            // A fresh context per attempt, so that every attempt does a full handshake (no resumption).
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {TrustCheck.of(TrustCheck.defaultRoots(), verifyTls)}, null);
            SSLSocket ssl = (SSLSocket) context.getSocketFactory()
                    .createSocket(plain, serverName, target.port(), true);
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // makes the trust manager check the host name
            if (sni != null) {
                params.setServerNames(List.of(new SNIHostName(sni))); // the JDK skips names without a dot
            }
            ssl.setSSLParameters(params);
            plain.setSoTimeout(millis);
            ssl.startHandshake();
            TlsFacts.record(result, ssl.getSession(), sni, Instant.now());
            TrustCheck.recordVerdict(result, ssl.getSession());
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new ProbeException(ErrorKind.CONFIG, "TLS is not available: " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new ProbeException(ErrorKind.TIMEOUT, "TLS handshake timed out", e);
        } catch (IOException e) {
            if (handshaking.isCompletedExceptionally()) { // closed at the deadline
                throw new ProbeException(ErrorKind.TIMEOUT, "TLS handshake timed out", e);
            }
            TrustCheck.Refusal refusal = TrustCheck.refusal(e);
            if (refusal == null) {
                throw new ProbeException(ErrorKind.TLS, "handshake failed: " + e.getMessage(), e);
            }
            if (refusal.certificate() != null) {
                TlsFacts.recordCertificate(result, refusal.certificate(), Instant.now()); // e.g. an expired one's dates
            }
            throw new ProbeException(ErrorKind.TLS, refusal.getMessage(), e);
        } finally {
            handshaking.complete(null); // disarms the deadline's close
        }
    }

    /**
     * Sends the payload, if any, and reads until the reply matches {@code expect}; without {@code expect}, until the
     * reply's first bytes, so that {@code exchange} is a round trip and not just the hand-off to the socket.
     */
    private void exchange(ProbeContext ctx, Socket socket, ProbeResult.Builder result, long mark)
            throws ProbeException {
        String phase = send != null ? "exchange" : "banner";
        String awaited = expect == null ? "a reply" : expect.toString();
        byte[] buffer = new byte[readBytes];
        int length = 0;
        try {
            if (send != null) {
                socket.getOutputStream().write(send);
            }
            InputStream in = socket.getInputStream();
            while (true) {
                socket.setSoTimeout(millisLeft(ctx, phase));
                int n = in.read(buffer, length, buffer.length - length);
                long now = System.nanoTime(); // before matching: the phase measures the peer, not our regex
                if (n < 0) {
                    throw new ProbeException(ErrorKind.PROTOCOL, "connection closed before " + awaited
                            + (expect == null ? "" : " matched") + "; received " + received(buffer, length));
                }
                length += n;
                if (expect == null || expect.matches(buffer, length)) {
                    result.phaseNanos(phase, now - mark);
                    return;
                }
                if (expect.decided(length) || length == buffer.length) {
                    throw new ProbeException(ErrorKind.PROTOCOL, expect + " did not match; received "
                            + received(buffer, length));
                }
            }
        } catch (SocketTimeoutException e) {
            throw new ProbeException(ErrorKind.TIMEOUT, "no reply" + (expect == null ? "" : " matching " + expect)
                    + " before the deadline; received " + received(buffer, length), e);
        } catch (IOException e) {
            throw new ProbeException(ErrorKind.PROTOCOL, phase + " failed: " + e.getMessage() + "; received "
                    + received(buffer, length), e);
        }
    }

    private static String received(byte[] buffer, int length) {
        return length == 0 ? "nothing" : Bytes.show(buffer, length);
    }

    private static ProbeException cancelled(ProbeContext ctx) {
        return ctx.remaining().isZero()
                ? new ProbeException(ErrorKind.TIMEOUT, "deadline passed")
                : new ProbeException(ErrorKind.CANCELLED, "cancelled");
    }

    /** Time left in whole milliseconds, rounded up: socket timeouts take int millis, and 0 would mean forever. */
    private static int millisLeft(ProbeContext ctx, String step) throws ProbeException {
        Duration left = ctx.remaining();
        if (left.isZero() || left.isNegative()) {
            throw new ProbeException(ErrorKind.TIMEOUT, "deadline passed before " + step);
        }
        return (int) Math.min(Integer.MAX_VALUE, left.plusNanos(999_999).toMillis());
    }

    private static long phase(ProbeResult.Builder result, String name, long since) {
        long now = System.nanoTime();
        result.phaseNanos(name, now - since);
        return now;
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do with a socket we are done with
        }
    }
}
