package com.example.vantage.plugin;

import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeContext;
import dev.vantage.probe.spi.ProbeException;
import dev.vantage.probe.spi.ProbeResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One configured echo check. Blocking I/O: the engine runs each attempt on a virtual thread. */
final class EchoProbe implements Probe {
    private final String host;
    private final int port;
    private final byte[] line;

    EchoProbe(String host, int port, byte[] line) {
        this.host = host;
        this.port = port;
        this.line = line;
    }

    @Override
    public CompletionStage<ProbeResult> run(ProbeContext ctx) throws ProbeException {
        long start = System.nanoTime();
        ProbeResult.Builder result = ctx.newResult();
        // Resolution and policy failures are already classified (DNS, TIMEOUT, POLICY): let them through.
        InetSocketAddress address = new InetSocketAddress(ctx.resolve(host).getFirst(), port);
        result.phaseNanos("dns", System.nanoTime() - start);
        ctx.checkAddress(address);
        result.attribute("remoteAddress", address.getAddress().getHostAddress());

        boolean connected = false;
        try (Socket socket = new Socket()) {
            ctx.onCancel(() -> close(socket)); // unblocks connect or read when the engine gives up
            long t = System.nanoTime();
            socket.connect(address, millisLeft(ctx));
            connected = true;
            result.phaseNanos("connect", System.nanoTime() - t);

            t = System.nanoTime();
            socket.getOutputStream().write(line);
            byte[] reply = readLine(socket, ctx);
            result.phaseNanos("exchange", System.nanoTime() - t);
            if (!Arrays.equals(reply, line)) {
                // The reply is not quoted: it may carry the secret token.
                result.error(ErrorKind.PROTOCOL, "got " + reply.length + " bytes that are not an echo of the "
                        + line.length + "-byte line sent");
            }
        } catch (SocketTimeoutException e) {
            result.error(ErrorKind.TIMEOUT, (connected ? "no echo" : "no connection") + " before the deadline");
        } catch (ConnectException e) {
            result.error(ErrorKind.REFUSED, e.getMessage());
        } catch (NoRouteToHostException e) {
            result.error(ErrorKind.UNREACHABLE, e.getMessage());
        } catch (IOException e) {
            result.error(connected ? ErrorKind.PROTOCOL : ErrorKind.UNREACHABLE, e.toString());
        }
        return CompletableFuture.completedFuture(result.durationNanos(System.nanoTime() - start).build());
    }

    /** Reads until a line break, the sent line's length, or end of stream; each read waits only for the time left. */
    private byte[] readLine(Socket socket, ProbeContext ctx) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        byte[] buf = new byte[line.length];
        while (reply.size() < line.length) {
            socket.setSoTimeout(millisLeft(ctx));
            int n = in.read(buf, 0, line.length - reply.size());
            if (n < 0) {
                break;
            }
            reply.write(buf, 0, n);
            if (buf[n - 1] == '\n') {
                break;
            }
        }
        return reply.toByteArray();
    }

    // A socket timeout of 0 means "wait forever", so an exhausted deadline must not become 0.
    private static int millisLeft(ProbeContext ctx) throws SocketTimeoutException {
        long ms = ctx.remaining().toMillis();
        if (ms < 1) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing only to unblock the attempt; nothing to report
        }
    }
}
