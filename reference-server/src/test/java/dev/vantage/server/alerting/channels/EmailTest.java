package dev.vantage.server.alerting.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The email channel against GreenMail, a real SMTP server, on 127.0.0.1 (plain SMTP and SMTP over TLS). */
class EmailTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup[] {
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS)})
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts", "s3cret-pass"));

    private static ObjectNode settings(int port, String security) {
        ObjectNode s = HttpChannelContract.JSON.createObjectNode().put("host", "127.0.0.1").put("port", port)
                .put("security", security).put("username", "alerts").put("password", "s3cret-pass")
                .put("from", "Vantage <alerts@example.org>");
        s.putArray("to").add("oncall@example.org").add("lead@example.org");
        return s;
    }

    private static Channel channel(ObjectNode settings, Locale language) {
        return new Email().create(settings, new ChannelContext(language,
                HttpChannelContract.LOOPBACK_ONLY, Clock.fixed(HttpChannelContract.NOW, ZoneOffset.UTC)));
    }

    private static int smtpPort() {
        return MAIL.getSmtp().getPort();
    }

    @Test
    void theMailArrivesWithSubjectLanguageAndLink() throws Exception {
        Channel.Delivery d = channel(settings(smtpPort(), "none"), Locale.CHINESE).send(HttpChannelContract.FIRING);

        assertThat(d.code()).isEqualTo(250);
        MimeMessage[] received = MAIL.getReceivedMessages();
        assertThat(received).hasSize(2); // one per recipient mailbox
        MimeMessage m = received[0];
        assertThat(m.getSubject()).isEqualTo("【告警】API down：api health");
        assertThat(m.getContentLanguage()).containsExactly("zh");
        assertThat(((InternetAddress) m.getFrom()[0]).getAddress()).isEqualTo("alerts@example.org");
        assertThat(m.getAllRecipients()).extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactly("oncall@example.org", "lead@example.org");
        assertThat((String) m.getContent()).contains("事件：http://127.0.0.1:8080/#/incidents/inc-42",
                "异常节点：beijing-1、shanghai-2");
        assertThat(m.getSentDate().toInstant()).isEqualTo(HttpChannelContract.NOW);
    }

    @Test
    void inEnglishTheMailIsEnglish() throws Exception {
        channel(settings(smtpPort(), "none"), Locale.ENGLISH).send(HttpChannelContract.FIRING);

        MimeMessage m = MAIL.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[FIRING] API down: api health");
        assertThat(m.getContentLanguage()).containsExactly("en");
        assertThat((String) m.getContent()).contains("Incident: http://127.0.0.1:8080/#/incidents/inc-42");
    }

    @Test
    void aWrongPasswordIsFinalAndNotShown() {
        DeliveryException e = HttpChannelContract.failure(
                channel(settings(smtpPort(), "none").put("password", "wrong-pass"), Locale.ENGLISH),
                HttpChannelContract.FIRING);

        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo(535);
        assertThat(e.getMessage()).doesNotContain("wrong-pass");
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void starttlsIsRequiredWhenAskedFor() {
        // GreenMail offers no STARTTLS: the channel must not fall back to sending in clear text
        DeliveryException e = HttpChannelContract.failure(channel(settings(smtpPort(), "starttls"), Locale.ENGLISH),
                HttpChannelContract.FIRING);

        assertThat(e.getMessage()).containsIgnoringCase("STARTTLS");
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void tlsVerifiesTheServersCertificate() {
        // GreenMail's certificate is self-signed: trusting it would mean trusting anyone
        DeliveryException e = HttpChannelContract.failure(
                channel(settings(MAIL.getSmtps().getPort(), "tls"), Locale.ENGLISH), HttpChannelContract.FIRING);

        assertThat(e.getMessage()).contains("SSLHandshakeException");
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void anAddressThePolicyRefusesIsNeverContacted() {
        for (String security : new String[] {"none", "starttls", "tls"}) {
            int port = security.equals("tls") ? MAIL.getSmtps().getPort() : smtpPort();
            Channel c = new Email().create(settings(port, security), new ChannelContext(Locale.ENGLISH,
                    HttpChannelContract.NO_LOOPBACK, Clock.systemUTC()));

            DeliveryException e = HttpChannelContract.failure(c, HttpChannelContract.FIRING);

            assertThat(e.retryable()).as(security).isFalse();
            assertThat(e.getMessage()).as(security).contains("127.0.0.1 is in denied range 127.0.0.0/8");
        }
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }
}
