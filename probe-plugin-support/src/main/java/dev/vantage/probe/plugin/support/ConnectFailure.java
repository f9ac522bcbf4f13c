package dev.vantage.probe.plugin.support;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;

/**
 * A failed TCP connect classified by what the kernel said, with one wording in every plugin:
 * {@code <ip> port <port>: <message>} as {@code REFUSED} (RST), {@code UNREACHABLE} (no route, unreachable, other
 * failures), {@code TIMEOUT} or {@code CONFIG} (no local address or port left: our side, not the target).
 *
 * @since 0.1
 */
public final class ConnectFailure {
    private ConnectFailure() {
    }

    /**
     * The probe failure for a connect to {@code remote} that threw {@code e}.
     *
     * @since 0.1
     */
    public static ProbeException of(IOException e, InetSocketAddress remote) {
        String where = remote.getAddress().getHostAddress() + " port " + remote.getPort() + ": ";
        String message = String.valueOf(e.getMessage());
        ErrorKind kind;
        if (e instanceof SocketTimeoutException || message.contains("timed out")) {
            kind = ErrorKind.TIMEOUT;
        } else if (e instanceof NoRouteToHostException || message.contains("unreachable")) {
            kind = ErrorKind.UNREACHABLE;
        } else if (e instanceof ConnectException) {
            kind = ErrorKind.REFUSED;
        } else if (e instanceof BindException) {
            kind = ErrorKind.CONFIG;
        } else {
            kind = ErrorKind.UNREACHABLE;
        }
        return new ProbeException(kind, where + message, e);
    }
}
