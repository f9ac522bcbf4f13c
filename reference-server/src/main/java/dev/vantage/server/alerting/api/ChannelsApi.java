package dev.vantage.server.alerting.api;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.alerting.channels.Channel;
import dev.vantage.server.alerting.channels.ChannelType;
import dev.vantage.server.alerting.channels.ChannelTypes;
import dev.vantage.server.alerting.channels.DeliveryException;
import dev.vantage.server.alerting.channels.Templates;
import dev.vantage.server.alerting.channels.Notification;
import dev.vantage.server.alerting.incidents.NotificationQueue;
import dev.vantage.server.alerting.notify.ChannelStore;
import dev.vantage.server.alerting.notify.Notifier;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.Languages;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.http.Method;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /api/v1/channels}: where notifications go. Everyone reads (secret settings read {@value #MASK}); admins
 * manage them and send test messages. A secret sent back as {@value #MASK} keeps its stored value.
 */
public final class ChannelsApi implements ApiModule {
    public static final String MASK = "******";
    private static final List<String> LANGUAGES = List.of("en", "zh");

    private final ChannelStore channels;
    private final NotificationQueue queue;
    private final Notifier notifier;
    private final Clock clock;

    public ChannelsApi(ChannelStore channels, NotificationQueue queue, Notifier notifier, Clock clock) {
        this.channels = channels;
        this.queue = queue;
        this.notifier = notifier;
        this.clock = clock;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/channels", Role.VIEWER, (req, res) ->
                        Json.send(res, Map.of("items", channels.all().stream().map(ChannelsApi::view).toList())))
                .post("/api/v1/channels", Role.ADMIN, this::create)
                .get("/api/v1/channels/{id}", Role.VIEWER, (req, res) -> Json.send(res, view(channel(req))))
                .put("/api/v1/channels/{id}", Role.ADMIN, this::replace)
                .delete("/api/v1/channels/{id}", Role.ADMIN, (req, res) -> {
                    channels.delete(channel(req).id());
                    res.status(Status.NO_CONTENT_204).send();
                })
                .query(Method.POST, "/api/v1/channels/{id}/test", Role.ADMIN, this::test)
                .get("/api/v1/channels/{id}/deliveries", Role.VIEWER, this::deliveries)
                .describe("channels", id -> channels.find(id).map(ChannelsApi::view));
    }

    private void create(ServerRequest req, ServerResponse res) {
        ChannelStore.StoredChannel c = channels.create(input(Json.readObject(req), null).input(), Routes.principal(req).userId());
        res.header(HeaderNames.LOCATION, "/api/v1/channels/" + c.id());
        Json.send(res, Status.CREATED_201, view(c));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        ChannelStore.StoredChannel stored = channel(req);
        Parsed p = input(Json.readObject(req), stored);
        Json.send(res, view(channels.update(stored.id(), p.input(), p.revision())));
    }

    private record Parsed(ChannelStore.Input input, Long revision) {
    }

    /** Reads and validates a channel; {@code stored} (when replacing) gives the secrets sent back masked. */
    private Parsed input(ObjectNode body, ChannelStore.StoredChannel stored) {
        for (String readOnly : List.of("id", "createdBy", "createdAt", "updatedAt")) {
            body.remove(readOnly);
        }
        JsonInput in = JsonInput.of(body, "name", "type", "language", "settings", "templates", "enabled", "revision");
        String name = in.requiredString("name", 128);
        String typeId = in.requiredString("type", 32);
        String language = in.optionalString("language", 8);
        Boolean enabled = in.optionalBoolean("enabled");
        Long revision = stored == null ? null : in.optionalLong("revision");
        ChannelType type = typeId == null ? null : ChannelTypes.byId(typeId).orElse(null);
        if (typeId != null && type == null) {
            in.error("type", Message.of("json.oneOf", String.join(", ", ChannelTypes.all().stream().map(ChannelType::id).toList())));
        }
        if (language != null && !LANGUAGES.contains(language)) {
            in.error("language", Message.of("channel.language"));
        }
        JsonNode settingsNode = body.get("settings");
        if (settingsNode == null || !settingsNode.isObject()) {
            in.error("settings", Message.of("channel.settings"));
        }
        List<FieldError> errors = new ArrayList<>();
        Templates templates = Templates.parse(body.get("templates"), errors);
        errors.forEach(e -> in.error(e.field(), e.text()));
        errors.clear();
        in.check();
        ObjectNode settings = ((ObjectNode) settingsNode).deepCopy();
        for (String secret : type.secretFields()) {
            if (MASK.equals(settings.path(secret).asText(null))) {
                if (stored != null && stored.type().equals(type.id()) && stored.settings().has(secret)) {
                    settings.set(secret, stored.settings().get(secret));
                } else {
                    errors.add(FieldError.of("settings." + secret, "secret.mask", MASK));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        String lang = language == null ? "en" : language;
        type.create(settings, notifier.context(lang, templates)); // validates: names every bad settings.<field>
        return new Parsed(new ChannelStore.Input(name, type.id(), lang, settings, templates, enabled == null || enabled),
                revision);
    }

    /**
     * Sends a test message now and answers what the receiver said (also when it refused): why it failed in the
     * admin's language, with the receiver's own words quoted as they came.
     */
    private void test(ServerRequest req, ServerResponse res) {
        ChannelStore.StoredChannel c = channel(req);
        Locale language = Locale.forLanguageTag(c.language()); // the channel's, as every message it gets
        Notification n = new Notification(Notification.Kind.TEST, "test", Message.of("channel.testRule").in(language),
                c.name(), "-", clock.instant(), Message.of("channel.testSummary").in(language), List.of(),
                notifier.link("test"));
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            Channel.Delivery d = notifier.channel(c).send(n);
            out.put("delivered", true);
            out.put("code", d.code());
            out.put("response", d.response());
        } catch (DeliveryException e) {
            out.put("delivered", false);
            out.put("code", e.code());
            out.put("response", e.text().in(Languages.of(req, res, Languages.SERVER)));
            out.put("retryable", e.retryable());
        }
        Json.send(res, out);
    }

    private void deliveries(ServerRequest req, ServerResponse res) {
        String id = channel(req).id();
        QueryParams q = new QueryParams(req);
        int limit = q.integer("limit", 50, 1, 500);
        q.check();
        Locale language = Languages.of(req, res, Languages.SERVER);
        Json.send(res, Map.of("items", queue.deliveries(id, limit).stream().map(d -> view(d, language)).toList()));
    }

    /** A delivery with why it last failed in the reader's language (the receiver's own words quoted as they came). */
    private static Map<String, Object> view(NotificationQueue.Delivery d, Locale language) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("incidentId", d.incidentId());
        m.put("kind", d.kind());
        m.put("status", d.status());
        m.put("attempts", d.attempts());
        m.put("lastCode", d.lastCode());
        m.put("lastError", d.lastError() == null ? null : d.lastError().in(language));
        m.put("createdAt", d.createdAt());
        m.put("doneAt", d.doneAt());
        return m;
    }

    private ChannelStore.StoredChannel channel(ServerRequest req) {
        return channels.find(req.path().pathParameters().get("id")).orElseThrow(() -> new NotFoundException("channel"));
    }

    private static Map<String, Object> view(ChannelStore.StoredChannel c) {
        ObjectNode settings = c.settings().deepCopy();
        ChannelTypes.byId(c.type()).ifPresent(t -> t.secretFields().forEach(f -> {
            if (settings.has(f) && !settings.get(f).isNull()) {
                settings.put(f, MASK);
            }
        }));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        m.put("type", c.type());
        m.put("language", c.language());
        m.put("settings", settings);
        m.put("templates", c.templates().overrides());
        m.put("enabled", c.enabled());
        m.put("revision", c.revision());
        m.put("createdBy", c.createdBy());
        m.put("createdAt", c.createdAt());
        m.put("updatedAt", c.updatedAt());
        return m;
    }
}
