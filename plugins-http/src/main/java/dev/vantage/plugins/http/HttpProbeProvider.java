package dev.vantage.plugins.http;

import dev.vantage.probe.plugin.support.ProblemTexts;
import dev.vantage.probe.spi.InvalidConfigException;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.Probe;
import dev.vantage.probe.spi.ProbeConfig;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeProvider;
import dev.vantage.probe.plugin.support.IpVersion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;
import java.util.Locale;

/**
 * The {@code http} probe type: one HTTP/1.1 or HTTP/2 request over cleartext or TLS per attempt, on a new
 * connection, with the phases {@code dns}, {@code connect}, {@code tls}, {@code write}, {@code ttfb} and
 * {@code transfer} measured at the Netty events that end them.
 *
 * <p>All probes of a provider share one Netty event loop group and its TLS contexts, both created on first use
 * and released by {@link #close()}.
 */
public final class HttpProbeProvider implements ProbeProvider {
    static final String TYPE = "http";
    // bodies are kept only on request and bounded: a result is read by everyone who may read the task's results
    static final long DEFAULT_MAX_BODY_BYTES = 64L << 10;

    private static final ProbeDescriptor DESCRIPTOR = ProbeDescriptor.builder(TYPE)
            .displayName("HTTP(S)")
            .description("Sends one HTTP request on a new connection and measures DNS, connect, TLS, write, "
                    + "time to first byte and transfer.")
            .versionOf(HttpProbeProvider.class)
            .targetDescription("absolute http or https URL")
            .parameter(ParameterSpec.builder("method", ParameterType.ENUM)
                    .allowedValues("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")
                    .defaultValue("GET").description("Request method.").build())
            .parameter(ParameterSpec.builder("headers", ParameterType.STRING_MAP).max(100)
                    .description("Request headers; they replace the probe's defaults of the same name.").build())
            .parameter(ParameterSpec.builder("body", ParameterType.STRING).max(1 << 20)
                    .description("Request body, sent as UTF-8.").build())
            .parameter(ParameterSpec.builder("basicAuthUser", ParameterType.STRING)
                    .description("User for HTTP Basic authentication.").build())
            .parameter(ParameterSpec.builder("basicAuthPassword", ParameterType.STRING).secret(true)
                    .description("Password for HTTP Basic authentication.").build())
            .parameter(ParameterSpec.builder("bearerToken", ParameterType.STRING).secret(true)
                    .description("Token sent as 'Authorization: Bearer'.").build())
            .parameter(ParameterSpec.builder("followRedirects", ParameterType.BOOLEAN).defaultValue(true)
                    .description("Follow 301, 302, 303, 307 and 308 responses. Credentials are not sent to "
                            + "another origin.").build())
            .parameter(ParameterSpec.builder("maxRedirects", ParameterType.INTEGER).defaultValue(10L)
                    .min(0).max(20).description("More redirects than this fail the attempt.").build())
            .parameter(ParameterSpec.builder("verifyTls", ParameterType.BOOLEAN).defaultValue(true)
                    .description("Fail on an untrusted, expired or mismatching certificate. When off, the "
                            + "outcome is still reported as tlsVerified.").build())
            .parameter(ParameterSpec.builder("caCert", ParameterType.STRING)
                    .description("PEM certificates to trust instead of the JDK's default roots.").build())
            .parameter(ParameterSpec.builder("sni", ParameterType.STRING)
                    .description("Server name to send and to verify the certificate against, instead of the "
                            + "URL's host.").build())
            .parameter(ParameterSpec.builder("httpVersion", ParameterType.ENUM)
                    .allowedValues("auto", "http1", "http2").defaultValue("auto")
                    .description("auto: HTTP/2 if the server accepts it through ALPN, else HTTP/1.1 (cleartext "
                            + "uses HTTP/1.1). http2 on cleartext uses prior knowledge (h2c).").build())
            .parameter(IpVersion.parameter())
            .parameter(ParameterSpec.builder("maxBodyBytes", ParameterType.INTEGER)
                    .defaultValue(DEFAULT_MAX_BODY_BYTES).min(0).max(1L << 20)
                    .description("With keepBody: response body bytes kept for the 'body' attribute; the rest is "
                            + "read and counted but not kept.").build())
            .parameter(ParameterSpec.builder("keepBody", ParameterType.BOOLEAN).defaultValue(false)
                    .description("Keep the response body as the 'body' attribute (for assertions on it). Off by "
                            + "default: whoever may read the results would read it.").build())
            .parameter(ParameterSpec.builder("validStatus", ParameterType.STRING).defaultValue("2xx,3xx")
                    .description("Status codes that count as success, e.g. '2xx,3xx', '200-299,404'. Others "
                            + "fail the attempt as PROTOCOL.").build())
            .texts(Locale.SIMPLIFIED_CHINESE, ProbeDescriptor.Texts.builder()
                    .problems(ProblemTexts.SUPPORT.patterns(Locale.CHINESE))
                    .problems(HttpSettings.TEXTS.patterns(Locale.CHINESE))
                    .description("在新连接上发送一个 HTTP 请求，测量 DNS、连接、TLS、写入、首字节时间和传输。")
                    .targetDescription("完整的 http 或 https URL")
                    .parameter("method", "请求方法。")
                    .parameter("headers", "请求头；同名时替换拨测的默认请求头。")
                    .parameter("body", "请求体，以 UTF-8 发送。")
                    .parameter("basicAuthUser", "HTTP Basic 认证的用户名。")
                    .parameter("basicAuthPassword", "HTTP Basic 认证的密码。")
                    .parameter("bearerToken", "以 'Authorization: Bearer' 发送的令牌。")
                    .parameter("followRedirects", "跟随 301、302、303、307 和 308 响应。凭据不会发往其他源。")
                    .parameter("maxRedirects", "重定向超过此数则本次拨测失败。")
                    .parameter("verifyTls", "证书不受信任、已过期或不匹配时判为失败。关闭时结果仍以 tlsVerified 报告。")
                    .parameter("caCert", "要信任的 PEM 证书，代替 JDK 默认根证书。")
                    .parameter("sni", "发送并用于校验证书的服务器名，代替 URL 中的主机。")
                    .parameter("httpVersion", "auto：服务器经 ALPN 接受时用 HTTP/2，否则 HTTP/1.1（明文用 HTTP/1.1）。明文 http2 使用先验知识（h2c）。")
                    .parameter("maxBodyBytes", "开启 keepBody 时作为 body 属性保留的响应体字节数；其余读取并计数，但不保留。")
                    .parameter("keepBody", "将响应体保留为 body 属性（供对其断言）。默认关闭：能读结果的人都会读到它。")
                    .parameter("validStatus", "视为成功的状态码，如 '2xx,3xx'、'200-299,404'。其他状态码以 PROTOCOL 判为失败。")
                    .parameters(IpVersion.DESCRIPTION_ZH_CN)
                    .build())
            .build();

    private final Object lock = new Object();
    private EventLoopGroup group; // guarded by lock
    private TlsContexts systemTls; // guarded by lock
    private boolean closed; // guarded by lock

    /** For {@link java.util.ServiceLoader}. */
    public HttpProbeProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ProbeDescriptor describe() {
        return DESCRIPTOR;
    }

    @Override
    public Probe create(ProbeConfig config) throws InvalidConfigException {
        return new HttpProbe(HttpSettings.from(config), this);
    }

    /** One exchange with a loopback responder of its own: see {@link WarmUp}. */
    @Override
    public void warmUp() throws Exception {
        WarmUp.run(this);
    }

    /** The shared event loops, started on first use: a provider that only validates tasks starts no thread. */
    EventLoopGroup group() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the http probe provider is closed");
            }
            if (group == null) {
                group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                        new DefaultThreadFactory("vantage-http", true), ioHandlerFactory());
            }
            return group;
        }
    }

    /**
     * A new, unregistered client channel of the group's transport for {@code address}'s family: an IPv4 socket for
     * an IPv4 address rather than the default dual-stack IPv6 socket, which connects to a mapped address.
     */
    static SocketChannel newChannel(InetAddress address) {
        SocketProtocolFamily family = address instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        return Transport.EPOLL ? new EpollSocketChannel(family)
                : new NioSocketChannel(SelectorProvider.provider(), family);
    }

    private static IoHandlerFactory ioHandlerFactory() {
        return Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /**
     * Netty's native epoll transport where it loads (Linux x86_64), else NIO; the group and its channels must
     * match. Decided on first use, so a provider that only validates tasks loads no native library.
     */
    private static final class Transport {
        static final boolean EPOLL = epollAvailable();
    }

    private static boolean epollAvailable() {
        boolean available;
        try {
            available = Epoll.isAvailable();
        } catch (LinkageError e) { // classes present but unusable here: NIO
            available = false;
        }
        System.getLogger(HttpProbeProvider.class.getName()).log(System.Logger.Level.DEBUG,
                "http probe transport: {0}", available ? "epoll" : "nio");
        return available;
    }

    /** TLS contexts trusting the JDK's default roots, loaded on first use. */
    TlsContexts systemTls() {
        synchronized (lock) {
            if (systemTls == null) {
                systemTls = TlsContexts.system();
            }
            return systemTls;
        }
    }

    @Override
    public void close() {
        EventLoopGroup toStop;
        synchronized (lock) {
            closed = true;
            toStop = group;
            group = null;
        }
        if (toStop != null) {
            // no quiet period: every probe is closed by now, nothing is left to drain
            toStop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
