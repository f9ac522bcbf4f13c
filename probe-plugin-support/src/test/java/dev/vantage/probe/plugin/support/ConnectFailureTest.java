package dev.vantage.probe.plugin.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.spi.ErrorKind;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class ConnectFailureTest {
    @Test
    void classifiesConnectFailures() {
        assertThat(kind(new ConnectException("Connection refused"))).isEqualTo(ErrorKind.REFUSED);
        assertThat(kind(new NoRouteToHostException("No route to host"))).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(kind(new SocketException("Network is unreachable"))).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(kind(new ConnectException("Network is unreachable"))).isEqualTo(ErrorKind.UNREACHABLE);
        assertThat(kind(new SocketTimeoutException("Connect timed out"))).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(kind(new ConnectException("Connection timed out"))).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(kind(new BindException("Cannot assign requested address"))).isEqualTo(ErrorKind.CONFIG);
        assertThat(ConnectFailure.of(new ConnectException("Connection refused"), new InetSocketAddress("127.0.0.1", 9))
                .getMessage()).isEqualTo("127.0.0.1 port 9: Connection refused");
    }

    private static ErrorKind kind(IOException e) {
        return ConnectFailure.of(e, new InetSocketAddress("127.0.0.1", 9)).kind();
    }
}
