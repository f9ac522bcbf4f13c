package dev.vantage.probe.engine.internal;

/**
 * The host a target names, whatever the plugin's target form: a URL ({@code scheme://[user@]host[:port]/...}),
 * {@code host:port}, {@code [IPv6]:port} or a bare host. Only for checks that apply to every plugin alike (ambiguous
 * numeric hosts); each plugin still parses its own target strictly.
 */
public final class TargetHost {
    private TargetHost() {
    }

    /** The host without brackets or port; the target itself when it has no recognisable host part. */
    public static String of(String target) {
        String s = target.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
            int end = s.length();
            for (char c : new char[] {'/', '?', '#'}) {
                int i = s.indexOf(c);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            s = s.substring(0, end);
            s = s.substring(s.lastIndexOf('@') + 1);
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            return close < 0 ? s : s.substring(1, close);
        }
        int colon = s.indexOf(':');
        return colon >= 0 && colon == s.lastIndexOf(':') ? s.substring(0, colon) : s;
    }
}
