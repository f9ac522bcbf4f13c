package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.AddressPolicy;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every HTTP channel must do, against a receiver on 127.0.0.1 that plays the vendor: each channel's test
 * extends this and adds its vendor's signing recipe and body shape.
 */
abstract class HttpChannelContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2026-12-07T10:15:30Z");
    static final AddressPolicy LOOPBACK_ONLY = AddressPolicy.builder().allow("127.0.0.0/8").allow("::1").build();
    static final AddressPolicy NO_LOOPBACK = AddressPolicy.builder().deny("127.0.0.0/8").deny("::1").build();
    static final Notification FIRING = new Notification(Notification.Kind.FIRING, "inc-42", "API down",
            "api health", "http://127.0.0.1:9/health", NOW, "2 of 3 agents bad", List.of("beijing-1", "shanghai-2"),
            URI.create("http://127.0.0.1:8080/#/incidents/inc-42"));

    private final ChannelType type;
    private final List<String> secrets;
    Receiver receiver;

    /**
     * @param type    the kind of channel under test
     * @param secrets the secret values of {@link #settings}, which no failure may show
     */
    HttpChannelContract(ChannelType type, String... secrets) {
        this.type = type;
        this.secrets = List.of(secrets);
    }

    /** Settings that point at {@code base} (the receiver) with the secrets the receiver expects. */
    abstract ObjectNode settings(String base);

    /** The vendor: checks a request as its documentation says and answers as it does. */
    abstract Receiver.Reply vendor(Receiver.Request request);

    @BeforeEach
    void startReceiver() {
        receiver = Receiver.start(this::vendor);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    Channel channel(ObjectNode settings, Locale language, AddressPolicy policy) {
        return type.create(settings, new ChannelContext(language, policy, Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    Channel channel(ObjectNode settings) {
        return channel(settings, Locale.ENGLISH, LOOPBACK_ONLY);
    }

    /** A channel whose settings lack {@code field} (e.g. its optional secret). */
    Channel channelWithout(String field) {
        ObjectNode s = settings(receiver.base());
        s.remove(field);
        return channel(s);
    }

    Channel channel() {
        return channel(settings(receiver.base()));
    }

    /** Sends and returns the failure, which there must be. */
    static DeliveryException failure(Channel channel, Notification n) {
        DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> channel.send(n));
        assertThat(e).as("delivery must fail").isNotNull();
        return e;
    }

    @Test
    void theVendorAcceptsTheMessage() throws DeliveryException {
        Channel.Delivery d = channel().send(FIRING);

        assertThat(d.code()).isBetween(200, 299);
        assertThat(receiver.only().method()).isEqualTo("POST");
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 500, 503})
    void overloadedReceiversMayBeTriedAgain(int status) {
        receiver.answer(r -> new Receiver.Reply(status, ""));

        DeliveryException e = failure(channel(), FIRING);

        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo(status);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404})
    void rejectionsAreFinalAndShowNoSecretTheVendorEchoes(int status) {
        // vendors echo what they were sent; the URL's path and query carry tokens
        receiver.answer(r -> new Receiver.Reply(status, "bad request to " + r.path() + "?" + r.rawQuery()));

        DeliveryException e = failure(channel(), FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo(status);
        assertThat(e.getMessage()).contains("HTTP " + status);
        secrets.forEach(s -> assertThat(e.getMessage()).doesNotContain(s));
    }

    @Test
    void redirectsAreNotFollowed() {
        receiver.answer(r -> new Receiver.Reply(302, "", receiver.base() + "/elsewhere"));

        DeliveryException e = failure(channel(), FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("redirects are not followed");
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void anAddressThePolicyRefusesIsNeverContacted() {
        DeliveryException e = failure(channel(settings(receiver.base()), Locale.ENGLISH, NO_LOOPBACK), FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isZero();
        assertThat(e.getMessage()).contains("127.0.0.1 is in denied range 127.0.0.0/8");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void anUnreachableReceiverMayBeTriedAgainAndItsFailureShowsNoSecret() {
        String base = receiver.base();
        receiver.close(); // nothing listens on its port any more

        DeliveryException e = failure(channel(settings(base)), FIRING);

        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isZero();
        assertThat(e.getMessage()).contains("could not reach 127.0.0.1:");
        secrets.forEach(s -> assertThat(e.getMessage()).doesNotContain(s));
    }

    @Test
    void unknownSettingsAreRefused() {
        ObjectNode s = settings(receiver.base()).put("colour", "red");

        assertThat(ChannelTypesTest.fieldsOf(() -> channel(s))).containsExactly("settings.colour");
    }
}
