package dev.vantage.server.http;

import dev.vantage.server.errors.Message;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Locale;

/** The language a client asks for ({@code Accept-Language}), among those the server has texts in. */
public final class Languages {
    /** What the server's own texts (problems, incident summaries) are written in. */
    public static final List<Locale> SERVER = Message.LANGUAGES;

    private Languages() {
    }

    /**
     * The best of {@code offered} for the request's {@code Accept-Language}, English if none fits; the response says
     * it varies by that header.
     */
    public static Locale of(ServerRequest req, ServerResponse res, List<Locale> offered) {
        res.header(HeaderNames.VARY, "Accept-Language");
        return best(req.headers().value(HeaderNames.ACCEPT_LANGUAGE).orElse(null), offered);
    }

    /** The best of {@code offered} for an {@code Accept-Language} header; English if none fits. */
    public static Locale best(String acceptLanguage, List<Locale> offered) {
        if (acceptLanguage == null || acceptLanguage.isBlank()) {
            return Locale.ENGLISH;
        }
        try {
            List<Locale.LanguageRange> wanted = Locale.LanguageRange.parse(acceptLanguage);
            // an exact tag first (zh-CN), then any of the same language (zh-TW or zh asks for Chinese too)
            Locale exact = Locale.lookup(wanted, offered);
            if (exact != null) {
                return exact;
            }
            for (Locale.LanguageRange r : wanted) {
                String language = Locale.forLanguageTag(r.getRange()).getLanguage();
                for (Locale l : offered) {
                    if (l.getLanguage().equals(language)) {
                        return l;
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            // a malformed header is no reason to refuse an answer
        }
        return Locale.ENGLISH;
    }
}
