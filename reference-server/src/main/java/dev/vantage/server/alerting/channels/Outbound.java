package dev.vantage.server.alerting.channels;

import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.server.errors.Message;
import dev.vantage.server.tasks.EngineProblems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import javax.net.SocketFactory;

/**
 * Where channels may connect: every address is checked against the context's {@link AddressPolicy} at the moment of
 * connecting, and the connection goes to the very address that was checked, so a name that resolves to an allowed
 * address when checked and to a forbidden one a moment later (DNS rebinding) gains nothing.
 */
final class Outbound {

    private Outbound() {
    }

    /** The policy refused an address; the message is the policy's reason in English. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient ConfigProblem reason;

        Refused(ConfigProblem reason) {
            super(reason.reason(), null, false, false);
            this.reason = reason;
        }

        /** The delivery's failure: not sent, and why (the engine's words, in the reader's language). */
        DeliveryException notSent() {
            return new DeliveryException(Message.of("delivery.notSent", EngineProblems.text(reason)), 0, false);
        }
    }

    /**
     * Resolves {@code host}, checks every address it has, and returns the first one to connect to.
     *
     * @throws Refused              if the policy refuses any of its addresses
     * @throws UncheckedIOException if the name does not resolve
     */
    static InetAddress resolve(String host, int port, AddressPolicy policy) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException("cannot resolve " + host, e);
        }
        for (InetAddress a : all) {
            check(new InetSocketAddress(a, port), policy);
        }
        return all[0];
    }

    static void check(InetSocketAddress address, AddressPolicy policy) {
        Optional<ConfigProblem> refusal = policy.refusal(address);
        if (refusal.isPresent()) {
            throw new Refused(refusal.get());
        }
    }

    /** The policy's refusal somewhere in the causes of {@code failure}, if that is why it failed. */
    static Optional<Refused> refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Refused r) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Plain sockets that check the address they are asked to connect to (TLS is layered on top by the caller). */
    static SocketFactory socketFactory(AddressPolicy policy) {
        return new SocketFactory() {
            @Override
            public Socket createSocket() {
                return new Socket() {
                    @Override
                    public void connect(SocketAddress endpoint, int timeout) throws IOException {
                        InetSocketAddress a = (InetSocketAddress) endpoint;
                        if (a.isUnresolved()) {
                            throw new UnknownHostException("cannot resolve " + a.getHostString());
                        }
                        check(a, policy);
                        super.connect(endpoint, timeout);
                    }
                };
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return connected(new InetSocketAddress(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return createSocket(host, port);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return connected(new InetSocketAddress(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return createSocket(address, port);
            }

            private Socket connected(InetSocketAddress address) throws IOException {
                Socket s = createSocket();
                s.connect(address);
                return s;
            }
        };
    }
}
