package dev.vantage.server.alerting.channels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.server.errors.Message;
import dev.vantage.server.json.JsonMapping;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.DnsAddressLookup;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.spi.DnsResolver;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Posts JSON to one channel's endpoint with Helidon's HTTP/1.1 client: connect and read timeouts, no redirects
 * followed, no proxy, and a DNS resolver that checks every address of the host against the address policy and then
 * connects to the address it checked ({@link Outbound}). Turns the answer into a {@link Answer} or a
 * {@link DeliveryException}: 429, 5xx and network failures may be retried; other statuses and refused addresses not.
 * Failure messages show only the host and port: never the URL's path or query (where vendors put their tokens) nor
 * the secrets it was given.
 */
final class HttpPoster {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final int SHOWN = 200;

    private final Http1Client client;
    private final String where;
    private final List<String> secrets = new ArrayList<>();

    /**
     * @param endpoint where the channel posts (its host and port are the only ones it connects to)
     * @param secrets  values to mask in failure messages besides the endpoint's path and query
     */
    HttpPoster(URI endpoint, AddressPolicy policy, String... secrets) {
        int port = endpoint.getPort() > 0 ? endpoint.getPort()
                : endpoint.getScheme().toLowerCase(Locale.ROOT).equals("https") ? 443 : 80;
        this.client = Http1Client.builder()
                .dnsResolver(new CheckingResolver(policy, port))
                .proxy(Proxy.noProxy())
                .followRedirects(false)
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(READ_TIMEOUT)
                .build();
        this.where = endpoint.getHost() + ":" + port;
        for (String s : new String[] {endpoint.getRawPath(), endpoint.getRawQuery()}) {
            if (s != null && s.length() > 1) {
                this.secrets.add(s);
            }
        }
        for (String s : secrets) {
            if (s != null && !s.isEmpty()) {
                this.secrets.add(s);
            }
        }
    }

    /** The receiver's 2xx answer. */
    record Answer(int status, String body) {
        /** The body as JSON, or a missing node when it is not JSON. */
        JsonNode json() {
            try {
                return JsonMapping.MAPPER.readTree(body);
            } catch (JsonProcessingException e) {
                return MissingNode.getInstance();
            }
        }

        Channel.Delivery delivery() {
            return new Channel.Delivery(status, body);
        }

        /**
         * The delivery, if the vendor's JSON answer says success with {@code codeField} 0 (DingTalk, Feishu, WeCom
         * answer HTTP 200 and put their verdict there).
         */
        Channel.Delivery requireZero(String codeField, String messageField) throws DeliveryException {
            JsonNode answer = json();
            JsonNode code = answer.path(codeField);
            if (!code.isIntegralNumber() || code.longValue() != 0) {
                String said = answer.path(messageField).asText("");
                throw new DeliveryException(code.isMissingNode() ? Message.of("delivery.rejected.noCode", codeField, said)
                        : Message.of("delivery.rejected", codeField, code, said), status, false);
            }
            return delivery();
        }
    }

    /** Posts {@code json} to {@code uri} (the endpoint, perhaps with query parameters added). */
    Answer post(URI uri, byte[] json, Map<String, String> headers) throws DeliveryException {
        try (HttpClientResponse r = client.post().uri(uri)
                .header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .header(HeaderNames.USER_AGENT, "Vantage-Alerting")
                .headers(h -> headers.forEach((name, value) -> h.set(HeaderNames.create(name), value)))
                .submit(json)) {
            int status = r.status().code();
            String body = r.entity().hasEntity() ? r.as(String.class) : "";
            if (status >= 200 && status < 300) {
                return new Answer(status, body);
            }
            Message answered = Message.of(status >= 300 && status < 400 ? "delivery.http.redirect" : "delivery.http",
                    where, status);
            throw new DeliveryException(body.isBlank() ? answered : Message.of("delivery.saying", answered, shown(body)),
                    status, status == 429 || status >= 500);
        } catch (RuntimeException e) {
            var refused = Outbound.refusal(e);
            if (refused.isPresent()) {
                throw refused.get().notSent();
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new DeliveryException(Message.of("delivery.unreachable", where,
                    mask(root.getClass().getSimpleName() + ": " + root.getMessage())), 0, true);
        }
    }

    private String shown(String body) {
        return mask(body.length() > SHOWN ? body.substring(0, SHOWN) + "..." : body);
    }

    private String mask(String text) {
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "***");
        }
        return out;
    }

    /** Resolves at connect time, checks every address of the host, and hands the client the one it checked. */
    private record CheckingResolver(AddressPolicy policy, int port) implements DnsResolver {
        @Override
        public boolean useDefaultJavaResolver() {
            return false;
        }

        @Override
        public InetAddress resolveAddress(String hostname, DnsAddressLookup lookup) {
            return Outbound.resolve(hostname, port, policy);
        }
    }
}
