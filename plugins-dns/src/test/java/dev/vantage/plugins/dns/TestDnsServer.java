package dev.vantage.plugins.dns;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * An authoritative server for the zone {@code example.test.} (and the reverse name of 127.0.0.1), built on dnsjava,
 * answering on loopback over UDP and TCP on one port, and optionally over DNS over TLS and DNS over HTTPS. Tests
 * start it and point the probe at it; it never asks anyone else.
 *
 * <p>What it answers: the zone's records; {@code NXDOMAIN} (with the SOA) for other names; {@code SERVFAIL} for
 * {@code servfail.example.test}; {@code REFUSED} for anything under {@code refused.test}; nothing at all for
 * anything under {@code silent.example.test}. A UDP answer larger than the client's EDNS size (512 without EDNS)
 * goes out truncated (TC, no records), as real servers do. It sets AD when the query has the DO bit, and records
 * every query it saw.
 */
final class TestDnsServer implements AutoCloseable {
    static final Name ZONE = name("example.test.");
    static final String BIG = "big.example.test";

    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final List<Message> queries = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private SSLServerSocket dot;
    private HttpsServer doh;

    private TestDnsServer(InetAddress address) throws IOException {
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int i = 0; t == null; i++) { // UDP and TCP on the same port, as a resolver listens
            u = new DatagramSocket(new InetSocketAddress(address, 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, address);
            } catch (IOException taken) {
                u.close();
                if (i == 20) {
                    throw taken;
                }
            }
        }
        udp = u;
        tcp = t;
        open.add(udp);
        open.add(tcp);
        zone();
        Thread.ofVirtual().name("test-dns-udp").start(this::serveUdp);
        Thread.ofVirtual().name("test-dns-tcp").start(() -> accept(tcp));
    }

    static TestDnsServer start() throws IOException {
        return new TestDnsServer(InetAddress.getLoopbackAddress());
    }

    static TestDnsServer start(InetAddress address) throws IOException {
        return new TestDnsServer(address);
    }

    /** Also answers DNS over TLS, with {@code tls}'s certificate. */
    TestDnsServer withDot(SSLContext tls) throws IOException {
        dot = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50, udp.getLocalAddress());
        open.add(dot);
        Thread.ofVirtual().name("test-dns-dot").start(() -> accept(dot));
        return this;
    }

    /** Also answers DNS over HTTPS (POST /dns-query, HTTP/1.1), with {@code tls}'s certificate. */
    TestDnsServer withDoh(SSLContext tls) throws IOException {
        doh = HttpsServer.create(new InetSocketAddress(udp.getLocalAddress(), 0), 50);
        doh.setHttpsConfigurator(new HttpsConfigurator(tls));
        doh.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        doh.createContext("/dns-query", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Message response = answer(new Message(body), Integer.MAX_VALUE);
            if (response == null) {
                return; // silent: leave the client waiting
            }
            byte[] wire = response.toWire();
            exchange.getResponseHeaders().set("Content-Type", "application/dns-message");
            exchange.sendResponseHeaders(200, wire.length);
            exchange.getResponseBody().write(wire);
            exchange.close();
        });
        doh.createContext("/teapot", exchange -> {
            exchange.sendResponseHeaders(418, -1);
            exchange.close();
        });
        doh.start();
        open.add(() -> doh.stop(0));
        return this;
    }

    /** {@code host:port} of the UDP and TCP listener. */
    String address() {
        return udp.getLocalAddress().getHostAddress() + ":" + udp.getLocalPort();
    }

    String dotAddress() {
        return udp.getLocalAddress().getHostAddress() + ":" + dot.getLocalPort();
    }

    /** The DoH URL, with {@code host} as its host (an IP address or a name that resolves to this server). */
    String dohUrl(String host) {
        return "https://" + host + ":" + doh.getAddress().getPort() + "/dns-query";
    }

    int dohPort() {
        return doh.getAddress().getPort();
    }

    /** The queries received so far, in order. */
    List<Message> queries() {
        return queries;
    }

    /** Replaces the answers for a name (a hijack, for instance). */
    void set(String owner, Record... answers) {
        records.put(name(owner), List.of(answers));
    }

    static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void zone() throws IOException {
        Name www = name("www.example.test");
        add(new SOARecord(ZONE, DClass.IN, 3600, name("ns1.example.test"), name("hostmaster.example.test"),
                2026120701L, 3600, 600, 86400, 60));
        add(new NSRecord(ZONE, DClass.IN, 3600, name("ns1.example.test")));
        add(new MXRecord(ZONE, DClass.IN, 3600, 10, name("mail.example.test")));
        add(new TXTRecord(ZONE, DClass.IN, 300, List.of("v=spf1 ", "ip4:192.0.2.0/24 -all")));
        add(new CAARecord(ZONE, DClass.IN, 3600, 0, "issue", "ca.example"));
        add(new ARecord(www, DClass.IN, 300, InetAddress.getByName("192.0.2.1")));
        add(new ARecord(www, DClass.IN, 60, InetAddress.getByName("192.0.2.2")));
        add(new AAAARecord(www, DClass.IN, 300, InetAddress.getByName("2001:db8::1")));
        add(new CNAMERecord(name("alias.example.test"), DClass.IN, 120, www));
        add(new SRVRecord(name("_sip._udp.example.test"), DClass.IN, 300, 10, 60, 5060, name("sip.example.test")));
        add(new PTRRecord(ReverseMap.fromAddress("127.0.0.1"), DClass.IN, 300, name("localhost.example.test")));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add("record " + i + " of a TXT set that no UDP answer of 512 bytes can hold");
        }
        for (String s : many) {
            add(new TXTRecord(name(BIG), DClass.IN, 300, s));
        }
    }

    private void add(Record r) {
        records.computeIfAbsent(r.getName(), n -> new CopyOnWriteArrayList<>()).add(r);
    }

    /** The response to a query, or {@code null} to stay silent; {@code limit} is the UDP size the client takes. */
    private Message answer(Message query, int limit) {
        queries.add(query);
        Record q = query.getQuestion();
        Name name = q.getName();
        if (name.subdomain(name("silent.example.test"))) {
            return null;
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(q, Section.QUESTION);
        OPTRecord opt = query.getOPT();
        boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
        if (opt != null) {
            response.addRecord(new OPTRecord(4096, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        if (dnssecOk) {
            response.getHeader().setFlag(Flags.AD); // pretend the data were validated
        }
        if (name.equals(name("servfail.example.test"))) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        if (name.subdomain(name("refused.test"))) {
            response.getHeader().unsetFlag(Flags.AA);
            response.getHeader().setRcode(Rcode.REFUSED);
            return response;
        }
        List<Record> all = records.get(name);
        if (all == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            response.addRecord(records.get(ZONE).getFirst(), Section.AUTHORITY);
            return response;
        }
        for (Record r : all) {
            if (r.getType() == q.getType() || r.getType() == Type.CNAME) {
                response.addRecord(r, Section.ANSWER);
                if (r instanceof CNAMERecord cname && q.getType() != Type.CNAME) {
                    for (Record target : records.getOrDefault(cname.getTarget(), List.of())) {
                        if (target.getType() == q.getType()) {
                            response.addRecord(target, Section.ANSWER);
                        }
                    }
                }
            }
        }
        if (response.toWire().length > limit) {
            Message truncated = new Message(query.getHeader().getID());
            truncated.getHeader().setFlag(Flags.QR);
            truncated.getHeader().setFlag(Flags.AA);
            truncated.getHeader().setFlag(Flags.TC);
            truncated.addRecord(q, Section.QUESTION);
            return truncated;
        }
        return response;
    }

    private void serveUdp() {
        byte[] buffer = new byte[65_535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                udp.receive(p);
                Message query = new Message(java.util.Arrays.copyOf(buffer, p.getLength()));
                OPTRecord opt = query.getOPT();
                Message response = answer(query, opt == null ? 512 : Math.max(512, opt.getPayloadSize()));
                if (response != null) {
                    byte[] wire = response.toWire();
                    udp.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or a malformed query: go on while open
            }
        }
    }

    private void accept(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serveStream(s));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serveStream(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                Message response = answer(new Message(query), Integer.MAX_VALUE);
                if (response == null) {
                    continue; // silent
                }
                byte[] wire = response.toWire();
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
            }
        } catch (IOException e) {
            // the client is done
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}
