package dev.vantage.server.alerting.channels;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Email through an SMTP server (Jakarta Mail, by Angus Mail): plain text, the title as subject, the language in
 * {@code Content-Language}. {@code security} is {@code starttls} (the default: the server must offer STARTTLS),
 * {@code tls} (TLS from the first byte) or {@code none}; with TLS the server's certificate and name are verified.
 * Sockets come from {@link Outbound#socketFactory}, so the address policy is checked on the address connected to.
 */
final class Email implements ChannelType {
    private static final String CONNECT_TIMEOUT_MS = "5000";
    private static final String TIMEOUT_MS = "10000";

    enum Security {
        NONE(25), STARTTLS(587), TLS(465);

        final int port;

        Security(int port) {
            this.port = port;
        }
    }

    @Override
    public String id() {
        return "email";
    }

    @Override
    public Set<String> secretFields() {
        return Set.of("password");
    }

    @Override
    public Channel create(ObjectNode settings, ChannelContext context) {
        Settings s = Settings.of(settings, "host", "port", "security", "username", "password", "from", "to",
                "heloName");
        String host = s.requiredHost("host");
        Security security = s.optionalEnum("security", Security.class, Security.STARTTLS);
        int port = s.optionalPort("port", security.port);
        String username = s.optionalString("username", 256);
        String password = s.optionalString("password", Settings.MAX_SECRET);
        if (username != null && password == null) {
            s.error("password", Message.of("email.password"));
        } else if (username == null && password != null) {
            s.error("username", Message.of("email.username"));
        }
        InternetAddress from = address(s, "from", s.requiredString("from", 320));
        List<InternetAddress> to = new ArrayList<>();
        for (String a : s.stringList("to", true)) {
            to.add(address(s, "to", a));
        }
        String helo = s.optionalString("heloName", 253);
        s.check();

        Properties p = new Properties();
        p.put("mail.smtp.socketFactory", Outbound.socketFactory(context.outbound()));
        p.put("mail.smtp.socketFactory.fallback", "false");
        p.put("mail.smtp.connectiontimeout", CONNECT_TIMEOUT_MS);
        p.put("mail.smtp.timeout", TIMEOUT_MS);
        p.put("mail.smtp.writetimeout", TIMEOUT_MS);
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        p.put("mail.smtp.starttls.enable", Boolean.toString(security == Security.STARTTLS));
        p.put("mail.smtp.starttls.required", Boolean.toString(security == Security.STARTTLS));
        p.put("mail.smtp.ssl.enable", Boolean.toString(security == Security.TLS));
        p.put("mail.smtp.auth", Boolean.toString(username != null));
        // both would otherwise come from the machine's own name, looked up in DNS
        p.put("mail.smtp.localhost", helo == null ? "localhost" : helo);
        p.put("mail.from", from.getAddress());
        Session session = Session.getInstance(p);
        Messages messages = Messages.of(context);
        InternetAddress[] recipients = to.toArray(InternetAddress[]::new);

        return n -> {
            Messages.Message m = messages.render(n);
            SMTPTransport t = new SMTPTransport(session, null);
            try {
                MimeMessage mail = new MimeMessage(session);
                mail.setFrom(from);
                mail.setRecipients(RecipientType.TO, recipients);
                mail.setSubject(m.title(), "UTF-8");
                mail.setText(m.text(), "UTF-8");
                mail.setContentLanguage(new String[] {messages.language()});
                mail.setSentDate(Date.from(context.clock().instant()));
                t.connect(host, port, username, password);
                t.sendMessage(mail, recipients);
                return new Channel.Delivery(t.getLastReturnCode(), t.getLastServerResponse().strip());
            } catch (MessagingException | RuntimeException e) {
                throw failure(e, e instanceof AuthenticationFailedException ? t.getLastReturnCode() : replyCode(e),
                        password);
            } finally {
                close(t);
            }
        };
    }

    private static InternetAddress address(Settings s, String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            InternetAddress[] parsed = InternetAddress.parse(text, true);
            if (parsed.length == 1) {
                parsed[0].validate();
                return parsed[0];
            }
        } catch (AddressException e) {
            // reported below
        }
        s.error(field, Message.of("email.address", text));
        return null;
    }

    /** 4xx replies and lost connections may pass; 5xx replies, bad credentials and refused addresses will not. */
    private static DeliveryException failure(Exception e, int code, String password) {
        var refused = Outbound.refusal(e);
        if (refused.isPresent()) {
            return refused.get().notSent();
        }
        String message = String.valueOf(e.getMessage());
        if (e.getCause() != null && e.getCause() != e) {
            message += " (" + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage() + ")";
        }
        if (password != null) {
            message = message.replace(password, "***");
        }
        boolean retryable = !(e instanceof AuthenticationFailedException) && (code == 0 || code / 100 == 4);
        return new DeliveryException(Message.of("delivery.smtp", message), code, retryable);
    }

    private static void close(Transport t) {
        try {
            t.close();
        } catch (MessagingException e) {
            // the message was sent or the failure is reported already; a failed QUIT changes neither
        }
    }

    /** The SMTP reply code a failed command carried, or 0. */
    private static int replyCode(Exception e) {
        for (Exception x = e; x != null; x = x instanceof MessagingException me ? me.getNextException() : null) {
            if (x instanceof SMTPSendFailedException f) {
                return f.getReturnCode();
            }
            if (x instanceof SMTPAddressFailedException f) {
                return f.getReturnCode();
            }
            if (x instanceof SMTPSenderFailedException f) {
                return f.getReturnCode();
            }
        }
        return 0;
    }
}
