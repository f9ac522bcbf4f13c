package dev.vantage.server.dispatch;

import dev.vantage.server.json.JsonMapping;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A change one replica tells the others about, so each applies it to the agent connections it holds.
 *
 * @param kind one of the constants below
 * @param id   the agent, instant test or task the message is about; {@code null} when it has none
 * @param body kind-specific JSON text; {@code null} when it has none
 */
public record Control(String kind, String id, String body) {
    /**
     * The task set changed: every replica re-sends task deltas to its agents. {@code id}: the one task that changed
     * (created, updated or deleted), or {@code null} when any may have.
     */
    public static final String TASKS = "tasks";
    /** An agent's labels or policy changed ({@code id}: agent). */
    public static final String AGENT = "agent";
    /** An agent was revoked ({@code id}: agent): its connection is closed wherever it is. */
    public static final String REVOKED = "revoked";
    /** Run an instant test ({@code id}: instant test, {@code body}: {"task": spec, "selector": selector}). */
    public static final String INSTANT = "instant";
    /** A live-feed event ({@code body}: the frame; {@code id}: the task a result belongs to, or null). */
    public static final String LIVE = "live";
    /** "A UI is watching here": other replicas relay live events while they keep hearing this. */
    public static final String LIVE_INTEREST = "live-interest";
    /** Alert rules or silences changed: the replica judging alerts reads them again. */
    public static final String ALERTING = "alerting";
    /** Not sent: raised locally after the broker connection came back, as messages may have been missed meanwhile. */
    public static final String RESYNC = "resync";

    public static Control of(String kind) {
        return new Control(kind, null, null);
    }

    public static Control of(String kind, String id) {
        return new Control(kind, id, null);
    }

    byte[] encode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("id", id);
        m.put("body", body);
        return JsonMapping.write(m).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException if the bytes are not a control message */
    static Control decode(byte[] bytes) {
        JsonNode n;
        try {
            n = JsonMapping.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (n == null || !n.path("kind").isTextual()) {
            throw new IllegalArgumentException("not a control message");
        }
        return new Control(n.get("kind").textValue(), text(n, "id"), text(n, "body"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
