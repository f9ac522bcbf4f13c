package dev.vantage.plugins.http;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.plugin.support.TrustCheck;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.security.cert.CertificateException;
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

    /** Why a handshake failed: the certificate check's reason if it refused, otherwise the TLS layer's. */
    static String tlsProblem(Throwable t) {
        TrustCheck.Refusal refusal = TrustCheck.refusal(t);
        return refusal != null ? refusal.getMessage() : rootMessage(t);
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
