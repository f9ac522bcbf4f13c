package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidInputException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The registry, and settings validation: every bad field named at once, as settings.<name>. */
class ChannelTypesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChannelContext CONTEXT = new ChannelContext(Locale.ENGLISH, AddressPolicy.allowAll(),
            Clock.systemUTC());

    /** The fields an {@link InvalidInputException} names (fails if nothing is thrown). */
    static List<String> fieldsOf(ThrowingCallable call) {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, call);
        assertThat(e).as("settings must be refused").isNotNull();
        return e.errors().stream().map(FieldError::field).toList();
    }

    private static List<String> problems(String type, String settings) throws JsonProcessingException {
        ObjectNode node = (ObjectNode) JSON.readTree(settings);
        return fieldsOf(() -> ChannelTypes.byId(type).orElseThrow().create(node, CONTEXT));
    }

    @Test
    void everyKindIsRegisteredByItsId() {
        assertThat(ChannelTypes.all()).extracting(ChannelType::id)
                .containsExactlyInAnyOrder("email", "webhook", "dingtalk", "feishu", "wecom", "slack", "telegram");
        ChannelTypes.all().forEach(t -> assertThat(ChannelTypes.byId(t.id())).containsSame(t));
        assertThat(ChannelTypes.byId("pager")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            email    | settings.host, settings.from, settings.to
            webhook  | settings.url
            dingtalk | settings.url
            feishu   | settings.url
            wecom    | settings.url
            slack    | settings.url
            telegram | settings.botToken, settings.chatId
            """)
    void emptySettingsNameEveryRequiredField(String type, String fields) throws JsonProcessingException {
        assertThat(problems(type, "{}")).containsExactlyInAnyOrder(fields.split(", "));
    }

    @Test
    void secretFieldsAreSettingsOfTheirKind() {
        for (ChannelType t : ChannelTypes.all()) {
            ObjectNode secrets = JSON.createObjectNode();
            t.secretFields().forEach(f -> secrets.put(f, "x"));
            InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> t.create(secrets, CONTEXT));
            assertThat(e.errors()).as(t.id()).noneMatch(fe -> fe.message().startsWith("unknown field"));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            webhook  | {"url": "ftp://127.0.0.1/x"}                                  | settings.url
            webhook  | {"url": "http:///no-host"}                                   | settings.url
            webhook  | {"url": "http://0177.0.0.1/"}                                | settings.url
            webhook  | {"url": "http://127.1/"}                                     | settings.url
            webhook  | {"url": "http://0x7f.1/"}                                    | settings.url
            webhook  | {"url": "http://0x7f.0.0.1:8080/"}                           | settings.url
            webhook  | {"url": "http://2130706433/"}                                | settings.url
            webhook  | {"url": "http://127.0.0.1./"}                                | settings.url
            webhook  | {"url": "http://user:pw@127.0.0.1/"}                         | settings.url
            webhook  | {"url": "http://127.0.0.1:0/"}                               | settings.url
            webhook  | {"url": "http://127.0.0.1/", "secret": 42}                   | settings.secret
            webhook  | {"url": "http://127.0.0.1/", "secret": "  "}                 | settings.secret
            dingtalk | {"url": "http://127.0.0.1/", "atMobiles": "13800000000"}    | settings.atMobiles
            dingtalk | {"atUserIds": [1], "sign": "x"}                              | settings.url, settings.atUserIds, settings.sign
            wecom    | {"url": "https://[::1]:8443/cgi-bin/webhook/send?key=k"}     |
            telegram | {"botToken": "no-colon", "chatId": "1", "apiBase": "http://127.0.0.1/?q=1"} | settings.botToken, settings.apiBase
            email    | {"host": "0x7f.1", "port": 70000, "security": "ssl", "from": "not an address", "to": []} | settings.host, settings.port, settings.security, settings.from, settings.to
            email    | {"host": "::1", "username": "u", "from": "a@example.org", "to": ["x@example.org", "bad"]} | settings.password, settings.to
            email    | {"host": "127.0.0.1", "password": "p", "from": "a@example.org", "to": ["x@example.org"]} | settings.username
            email    | {"host": "0177.0.0.1", "from": "a@example.org", "to": ["x@example.org"]} | settings.host
            """)
    void badSettingsNameEveryBadField(String type, String settings, String fields) throws JsonProcessingException {
        ObjectNode node = (ObjectNode) JSON.readTree(settings);
        if (fields == null) {
            assertThat(ChannelTypes.byId(type).orElseThrow().create(node, CONTEXT)).isNotNull();
        } else {
            assertThat(problems(type, settings)).containsExactlyInAnyOrder(fields.split(", "));
        }
    }
}
