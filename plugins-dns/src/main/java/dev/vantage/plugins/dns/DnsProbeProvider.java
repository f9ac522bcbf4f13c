package dev.vantage.plugins.dns;

import dev.vantage.probe.plugin.support.ProblemTexts;
import dev.vantage.plugins.dns.DnsProbe.Query;
import dev.vantage.plugins.dns.DnsProbe.Transport;
import dev.vantage.probe.plugin.support.IpVersion;
import dev.vantage.probe.plugin.support.LoopbackWarmUp;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The {@code dns} probe type: one query for the target name to a resolver (the {@code resolver} parameter, or the
 * first {@code nameserver} of {@code /etc/resolv.conf}) over UDP (TCP when the answer is truncated), TCP, DNS over
 * TLS or DNS over HTTPS. It reports the rcode, the flags and the answer section as structured data; answers outside
 * the expected set fail the engine's list assertions ({@code within_cidr} for hijack detection).
 *
 * <p>Phases: {@code resolve} (the resolver's own address, and the policy check), then {@code query} (UDP: sent to
 * answered), or {@code connect}, {@code tls} (DoT, DoH) and {@code query}; a truncated UDP answer adds
 * {@code udpQuery} before the TCP {@code connect} and {@code query}.
 */
public final class DnsProbeProvider implements ProbeProvider {
    /** The problem messages of this plugin (problems.properties, translations beside it); before the descriptor. */
    static final ProblemTexts TEXTS = ProblemTexts.load(DnsProbeProvider.class::getResourceAsStream, "problems");
    static final String TYPE = "dns";
    static final List<String> TYPES = List.of("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "SRV", "CAA", "PTR");
    private static final Pattern LABEL = Pattern.compile("(?=.{1,63}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?");

    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("DNS")
            .description("Asks a resolver one question over UDP, TCP, DNS over TLS or DNS over HTTPS and reports the "
                    + "rcode, flags and answers; assertions on the answers catch hijacked or poisoned resolution.")
            .versionOf(DnsProbeProvider.class)
            .targetDescription("the name to query, e.g. www.example.com (IDN allowed); for type PTR also an IP "
                    + "address, e.g. 192.0.2.1")
            .parameter(ParameterSpec.builder("type", ParameterType.ENUM).allowedValues(TYPES).defaultValue("A")
                    .description("Record type to ask for. PTR takes an address as the target and asks for its "
                            + "in-addr.arpa or ip6.arpa name.").build())
            .parameter(ParameterSpec.builder("resolver", ParameterType.STRING).max(2048)
                    .description("The server to ask: host, host:port or [IPv6]:port (port 53, 853 for dot); for "
                            + "doh an https URL (path /dns-query if empty). Default: the first nameserver of "
                            + "/etc/resolv.conf.").build())
            .parameter(ParameterSpec.builder("transport", ParameterType.ENUM).allowedValues("udp", "tcp", "dot", "doh")
                    .defaultValue("udp")
                    .description("udp (asks again over TCP when the answer is truncated), tcp, dot (DNS over TLS, "
                            + "RFC 7858) or doh (DNS over HTTPS, RFC 8484, POST over HTTP/1.1).").build())
            .parameter(ParameterSpec.builder("recursion", ParameterType.BOOLEAN).defaultValue(true)
                    .description("Set the RD flag: ask the server to resolve the name itself.").build())
            .parameter(ParameterSpec.builder("ednsBufferSize", ParameterType.INTEGER).defaultValue(1232L)
                    .min(0).max(65535)
                    .description("EDNS(0) UDP payload size offered (512-65535); 0 sends no EDNS record, which "
                            + "limits UDP answers to 512 bytes.").build())
            .parameter(ParameterSpec.builder("dnssecOk", ParameterType.BOOLEAN).defaultValue(false)
                    .description("Set the DO bit (needs EDNS): ask for DNSSEC records. The AD flag of the answer "
                            + "is reported as the attribute 'ad'.").build())
            .parameter(ParameterSpec.builder("sni", ParameterType.STRING).max(253)
                    .description("dot and doh: the server name to send and to verify the certificate against, "
                            + "instead of the resolver's host (needed for a resolver given by IP address whose "
                            + "certificate names no IP).").build())
            .parameter(ParameterSpec.builder("verifyTls", ParameterType.BOOLEAN).defaultValue(true)
                    .description("dot and doh: fail on an untrusted, expired or mismatching certificate. When "
                            + "false the query goes on and tlsVerified says what was wrong.").build())
            .parameter(ParameterSpec.builder("caCert", ParameterType.STRING)
                    .description("dot and doh: PEM certificates to trust instead of the JDK's default roots.").build())
            .parameter(IpVersion.parameter())
            .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder()
                    .problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE))
                    .problems(TEXTS.patterns(Locale.CHINESE))
                    .description("经 UDP、TCP、DoT 或 DoH 向解析器问一个问题，报告 rcode、标志位和应答；对应答的断言可发现被劫持或污染的解析。")
                    .targetDescription("要查询的名称，如 www.example.com（可用国际化域名）；PTR 类型也可填 IP 地址，如 192.0.2.1")
                    .parameter("type", "查询的记录类型。PTR 以地址为目标，查询其 in-addr.arpa 或 ip6.arpa 名称。")
                    .parameter("resolver", "要询问的服务器：主机、主机:端口 或 [IPv6]:端口（端口 53，dot 为 853）；doh 为 https URL（路径为空时用 /dns-query）。默认：/etc/resolv.conf 的第一个 nameserver。")
                    .parameter("transport", "udp（应答被截断时改用 TCP 重问）、tcp、dot（DNS over TLS，RFC 7858）或 doh（DNS over HTTPS，RFC 8484，经 HTTP/1.1 POST）。")
                    .parameter("recursion", "设置 RD 标志：请服务器自己解析该名称。")
                    .parameter("ednsBufferSize", "提供的 EDNS(0) UDP 载荷大小（512-65535）；0 不发送 EDNS 记录，UDP 应答因此限于 512 字节。")
                    .parameter("dnssecOk", "设置 DO 位（需要 EDNS）：请求 DNSSEC 记录。应答的 AD 标志以属性 ad 报告。")
                    .parameter("sni", "dot 和 doh：发送并用于校验证书的服务器名，代替解析器的主机（以 IP 地址给出解析器而证书不含该 IP 时需要）。")
                    .parameter("verifyTls", "dot 和 doh：证书不受信任、已过期或不匹配时判为失败。关闭时继续查询，由 tlsVerified 说明问题。")
                    .parameter("caCert", "dot 和 doh：要信任的 PEM 证书，代替 JDK 默认根证书。")
                    .parameters(IpVersion.DESCRIPTION_ZH_CN)
                    .build())
            .build();

    private final ResolvConf system;

    public DnsProbeProvider() {
        this(Path.of("/etc/resolv.conf"));
    }

    /** With another resolv.conf, for tests of the default resolver's parsing. */
    DnsProbeProvider(Path resolvConf) {
        this.system = new ResolvConf(resolvConf);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProbeDescriptor describe() {
        return DESCRIPTOR;
    }

    /**
     * One query to a responder of its own on loopback, so that dnsjava's classes and the datagram path are loaded
     * before a first attempt is timed; then a TLS ClientHello without a peer, for the first DoT or DoH handshake.
     */
    @Override
    public void warmUp() throws Exception {
        try (DatagramSocket responder = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread answering = Thread.ofVirtual().name("vantage-dns-warm-up").start(() -> answerOnce(responder));
            LoopbackWarmUp.run(this, "warm-up.invalid", "resolver",
                    responder.getLocalAddress().getHostAddress() + ":" + responder.getLocalPort());
            answering.join(LoopbackWarmUp.LIMIT);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        LoopbackWarmUp.clientHello(context.createSSLEngine("localhost", 853));
    }

    private static void answerOnce(DatagramSocket socket) {
        try {
            DatagramPacket p = new DatagramPacket(new byte[512], 512);
            socket.receive(p);
            Message query = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
            Message answer = new Message(query.getHeader().getID());
            answer.getHeader().setFlag(Flags.QR);
            answer.addRecord(query.getQuestion(), Section.QUESTION);
            answer.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, 0,
                    InetAddress.getLoopbackAddress()), Section.ANSWER);
            byte[] wire = answer.toWire();
            socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
        } catch (IOException e) {
            // closed: the warm-up attempt reports what went wrong
        }
    }

    @Override
    public Probe create(ProbeConfig config) throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        String typeName = config.string("type").toUpperCase(Locale.ROOT);
        int type = Type.value(typeName);
        Name name = ConfigProblem.check("target", () -> queryName(config.target(), type), problems);

        Transport transport = Transport.valueOf(config.string("transport").toUpperCase(Locale.ROOT));
        Endpoint resolver = null;
        if (config.has("resolver")) {
            resolver = ConfigProblem.check("resolver", () -> transport == Transport.DOH
                    ? Endpoint.url(config.string("resolver"))
                    : Endpoint.hostPort(config.string("resolver"), transport.defaultPort), problems);
        } else if (transport == Transport.DOH) {
            problems.add(TEXTS.problem("resolver", "dns.dohResolver"));
        }

        long edns = config.integer("ednsBufferSize");
        if (edns != 0 && (edns < 512 || edns > 65535)) {
            problems.add(TEXTS.problem("ednsBufferSize", "dns.edns", edns));
        }
        if (edns == 0 && config.bool("dnssecOk")) {
            problems.add(TEXTS.problem("dnssecOk", "dns.dnssecOk"));
        }

        boolean tls = transport == Transport.DOT || transport == Transport.DOH;
        String sni = config.has("sni") ? config.string("sni") : null;
        for (String tlsOnly : List.of("sni", "caCert")) {
            if (config.has(tlsOnly) && !tls) {
                problems.add(ProblemTexts.SUPPORT.problem(tlsOnly, "support.onlyWith", "transport dot / doh"));
            }
        }
        if (sni != null && tls && !serverName(sni)) {
            problems.add(ProblemTexts.SUPPORT.problem("sni", "support.sni", sni));
        }
        String caCert = config.has("caCert") ? config.string("caCert") : null;
        if (caCert != null && tls) {
            ConfigProblem.check("caCert", () -> {
                try {
                    return Tls.trusting(caCert);
                } catch (GeneralSecurityException e) {
                    throw TEXTS.invalid("dns.caCert", e.getMessage());
                }
            }, problems);
        }

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        Query query = new Query(name, type, config.bool("recursion"), (int) edns, config.bool("dnssecOk"));
        return new DnsProbe(query, transport, resolver, system, IpVersion.of(config.string(IpVersion.PARAMETER)),
                sni, tls ? new Tls(caCert, config.bool("verifyTls")) : null);
    }

    /**
     * The name to ask for: the target as an absolute name (IDN converted to ASCII), or for PTR an IP address's
     * reverse name.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Name queryName(String target, int type) {
        String t = target.trim();
        if (type == Type.PTR && (t.indexOf(':') >= 0 || t.matches("[0-9.]+"))) {
            try {
                Endpoint checked = Endpoint.hostPort(t, 53); // refuses ambiguous forms such as 0177.0.0.1
                return ReverseMap.fromAddress(InetAddress.getByName(checked.host())); // a literal: no lookup
            } catch (UnknownHostException | IllegalArgumentException e) {
                throw TEXTS.invalid("dns.ptrAddress", t, e.getMessage());
            }
        }
        if (t.equals(".")) {
            return Name.root;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(t, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw TEXTS.invalid("dns.name", t, e.getMessage());
        }
        String relative = ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii;
        if (relative.isEmpty() || relative.length() > 253) {
            throw TEXTS.invalid("dns.nameLength", t);
        }
        for (String label : relative.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw TEXTS.invalid("dns.label", t);
            }
        }
        try {
            return Name.fromString(relative + ".");
        } catch (TextParseException e) {
            throw TEXTS.invalid("dns.name", t, e.getMessage());
        }
    }

    private static boolean serverName(String name) {
        try {
            queryName(name, Type.A);
            return !Endpoint.hostPort(name, 1).literal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
