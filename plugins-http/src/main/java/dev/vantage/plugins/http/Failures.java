package dev.vantage.plugins.http;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Turns what Netty and the JDK throw into the SPI's error kinds, with messages a user can act on. */
final class Failures {
    private Failures() {
    }

    /**
     * @param phase what the attempt was doing ({@code connect}, {@code tls}, ...)
     * @param peer  the address being talked to, for the message
     */
    static ProbeError classify(Throwable t, String phase, String peer) {
        if (t instanceof ProbeException pe) {
            return pe.toError();
        }
        if (find(t, SSLException.class) != null || find(t, CertificateException.class) != null
                || phase.equals("tls")) {
            return ProbeError.of(ErrorKind.TLS, "TLS handshake with " + peer + " failed: " + tlsProblem(t));
        }
        if (t instanceof ConnectTimeoutException) {
            return ProbeError.of(ErrorKind.TIMEOUT, "connect to " + peer + " timed out");
        }
        String message = String.valueOf(t.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (t instanceof NoRouteToHostException || lower.contains("unreachable") || lower.contains("no route")) {
            return ProbeError.of(ErrorKind.UNREACHABLE, peer + " is unreachable: " + message);
        }
        if (t instanceof ConnectException) {
            return lower.contains("refused")
                    ? ProbeError.of(ErrorKind.REFUSED, "connection refused by " + peer)
                    : ProbeError.of(ErrorKind.UNREACHABLE, "cannot connect to " + peer + ": " + message);
        }
        if (t instanceof DecoderException || find(t, Http2Exception.class) != null) {
            return ProbeError.of(ErrorKind.PROTOCOL, "malformed response from " + peer + ": " + rootMessage(t));
        }
        if (t instanceof IOException) {
            return ProbeError.of(ErrorKind.PROTOCOL, "connection to " + peer + " failed during " + phase + ": "
                    + message);
        }
        return ProbeError.of(ErrorKind.INTERNAL, t.getClass().getName() + ": " + message);
    }

    /** Why a handshake failed: a certificate problem if there was one, otherwise the TLS layer's reason. */
    static String tlsProblem(Throwable t) {
        CertificateException cert = find(t, CertificateException.class);
        if (cert != null) {
            return certificateProblem(cert);
        }
        return rootMessage(t);
    }

    /** A short reason for a failed certificate check: expired, not yet valid, untrusted or host name mismatch. */
    static String certificateProblem(Throwable t) {
        CertificateExpiredException expired = find(t, CertificateExpiredException.class);
        if (expired != null) {
            return "certificate expired (" + expired.getMessage() + ")";
        }
        CertificateNotYetValidException notYet = find(t, CertificateNotYetValidException.class);
        if (notYet != null) {
            return "certificate not yet valid (" + notYet.getMessage() + ")";
        }
        CertPathValidatorException invalid = find(t, CertPathValidatorException.class);
        if (invalid != null && invalid.getReason() == BasicReason.EXPIRED) {
            return "certificate expired";
        }
        if (invalid != null && invalid.getReason() == BasicReason.REVOKED) {
            return "certificate revoked";
        }
        if (find(t, CertPathBuilderException.class) != null) {
            return "certificate not trusted (no path to a trusted root)";
        }
        String message = rootMessage(t);
        if (message.contains("No subject alternative") || message.contains("No name matching")) {
            return "host name mismatch (" + message + ")";
        }
        return "certificate rejected (" + message + ")";
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The innermost message, which names the actual problem rather than the layer that passed it on. */
    private static String rootMessage(Throwable t) {
        String message = null;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        return message != null ? message : t.getClass().getSimpleName();
    }
}
