package dev.vantage.agent.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.agent.protocol.Message.Ack;
import dev.vantage.agent.protocol.Message.AgentStats;
import dev.vantage.agent.protocol.Message.Capabilities;
import dev.vantage.agent.protocol.Message.ErrorReply;
import dev.vantage.agent.protocol.Message.Heartbeat;
import dev.vantage.agent.protocol.Message.Hello;
import dev.vantage.agent.protocol.Message.InstantTest;
import dev.vantage.agent.protocol.Message.Plugin;
import dev.vantage.agent.protocol.Message.PolicyUpdate;
import dev.vantage.agent.protocol.Message.Rejected;
import dev.vantage.agent.protocol.Message.Results;
import dev.vantage.agent.protocol.Message.TaskChanges;
import dev.vantage.agent.protocol.Message.Update;
import dev.vantage.agent.protocol.Message.UpdateStatus;
import dev.vantage.agent.protocol.Message.Welcome;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.engine.InvalidTaskException;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.json.TaskSpecJson;
import dev.vantage.probe.spi.ProbeResult;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads and writes {@link Message}s as the JSON text frames of docs/agent-protocol.md. Unknown fields are ignored so
 * that older peers accept newer messages; a missing or mistyped field fails with a {@link ProtocolException} naming
 * it. Thread-safe.
 */
public final class ProtocolCodec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ProtocolCodec() {
    }

    /** The JSON text of {@code message}. */
    public static String encode(Message message) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("type", message.type());
        switch (message) {
            case Hello h -> {
                n.put("protocol", h.protocol());
                n.put("maxProtocol", h.maxProtocol());
                n.put("agentVersion", h.agentVersion());
                ObjectNode caps = n.putObject("capabilities");
                ArrayNode plugins = caps.putArray("plugins");
                h.capabilities().plugins().forEach(p -> plugins.addObject().put("type", p.type()).put("version", p.version()));
                caps.put("icmpMode", h.capabilities().icmpMode());
                caps.put("ipv6", h.capabilities().ipv6());
                putStrings(n.putObject("labels"), h.labels());
            }
            case Heartbeat h -> {
                n.put("sentAt", h.sentAt().toString());
                AgentStats s = h.stats();
                n.putObject("stats")
                        .put("cpuLoad", s.cpuLoad())
                        .put("systemLoad", s.systemLoad())
                        .put("memoryUsedBytes", s.memoryUsedBytes())
                        .put("memoryMaxBytes", s.memoryMaxBytes())
                        .put("tasks", s.tasks())
                        .put("spooledResults", s.spooledResults())
                        .put("spooledBytes", s.spooledBytes())
                        .put("droppedResults", s.droppedResults());
                if (!h.meters().isEmpty()) {
                    ObjectNode meters = n.putObject("meters");
                    h.meters().forEach((k, v) -> meters.put(k.key(), v));
                }
            }
            case Results r -> {
                n.put("batch", r.batch());
                ArrayNode results = n.putArray("results");
                r.results().forEach(x -> results.add(ResultJson.toTree(x)));
            }
            case Rejected r -> n.put("taskId", r.taskId()).put("reason", r.reason());
            case Welcome w -> {
                n.put("agentId", w.agentId());
                n.put("heartbeatInterval", Durations.format(w.heartbeatInterval()));
                n.set("policy", policy(w.policy()));
                ArrayNode tasks = n.putArray("tasks");
                w.tasks().forEach(t -> tasks.add(TaskSpecJson.toJson(t)));
                n.put("protocol", w.protocol());
            }
            case TaskChanges c -> {
                ArrayNode upsert = n.putArray("upsert");
                c.upsert().forEach(t -> upsert.add(TaskSpecJson.toJson(t)));
                ArrayNode remove = n.putArray("remove");
                c.remove().forEach(remove::add);
            }
            case PolicyUpdate p -> n.set("policy", policy(p.policy()));
            case InstantTest i -> {
                n.put("id", i.id());
                n.set("task", TaskSpecJson.toJson(i.task()));
            }
            case Ack a -> n.put("batch", a.batch()).put("stored", a.stored()).put("duplicates", a.duplicates());
            case Update u -> n.put("version", u.version()).put("size", u.size()).put("sha256", u.sha256())
                    .put("signature", u.signature());
            case UpdateStatus u -> {
                n.put("version", u.version()).put("state", u.state());
                if (u.reason() != null) {
                    n.put("reason", u.reason());
                }
            }
            case ErrorReply e -> n.put("message", e.message());
        }
        return n.toString();
    }

    /**
     * An address policy in the JSON form the {@code policy} message carries, {@code {"allow": [CIDR...], "deny":
     * [CIDR...], "denyPorts": [{"range": CIDR, "from": 1, "to": 1024}]}} (every field optional), e.g. a policy file
     * of the command-line probe.
     *
     * @throws ProtocolException if it is not JSON of that shape
     */
    public static Policy decodePolicy(String json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ProtocolException("policy is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new ProtocolException("policy must be a JSON object {allow, deny, denyPorts}");
        }
        // a misspelt key would silently allow what it meant to deny
        n.fieldNames().forEachRemaining(f -> {
            if (!List.of("allow", "deny", "denyPorts").contains(f)) {
                throw new ProtocolException("policy." + f + " is not a policy field (allow, deny, denyPorts)");
            }
        });
        return policy(n);
    }

    /**
     * The message in {@code json}.
     *
     * @throws ProtocolException if it is not JSON, has an unknown {@code type}, or a field is missing or mistyped
     */
    public static Message decode(String json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ProtocolException("frame is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new ProtocolException("frame must be a JSON object");
        }
        String type = text(n, "type");
        return switch (type) {
            case "hello" -> {
                JsonNode caps = object(n, "capabilities");
                List<Plugin> plugins = list(caps, "plugins", "capabilities.plugins",
                        p -> new Plugin(text(p, "type"), text(p, "version")));
                int protocol = integer(n, "protocol");
                // a version 1 agent sends no maxProtocol: it speaks that one version
                int max = n.hasNonNull("maxProtocol") ? integer(n, "maxProtocol") : protocol;
                if (max < protocol) {
                    throw new ProtocolException("maxProtocol must not be below protocol");
                }
                yield new Hello(protocol, max, text(n, "agentVersion"),
                        new Capabilities(plugins, text(caps, "icmpMode"), bool(caps, "ipv6")), strings(n, "labels"));
            }
            case "heartbeat" -> {
                JsonNode s = object(n, "stats");
                yield new Heartbeat(instant(n, "sentAt"), new AgentStats(number(s, "cpuLoad"), number(s, "systemLoad"),
                        whole(s, "memoryUsedBytes"), whole(s, "memoryMaxBytes"), integer(s, "tasks"),
                        whole(s, "spooledResults"), whole(s, "spooledBytes"), whole(s, "droppedResults")), meters(n));
            }
            case "results" -> new Results(text(n, "batch"), list(n, "results", "results", ProtocolCodec::result));
            case "rejected" -> new Rejected(text(n, "taskId"), text(n, "reason"));
            case "welcome" -> new Welcome(text(n, "agentId"), duration(n, "heartbeatInterval"), policy(object(n, "policy")),
                    list(n, "tasks", "tasks", ProtocolCodec::task),
                    n.hasNonNull("protocol") ? integer(n, "protocol") : ProtocolVersions.MIN);
            case "update" -> new Update(text(n, "version"), whole(n, "size"), text(n, "sha256"), text(n, "signature"));
            case "updateStatus" -> {
                String state = text(n, "state");
                if (!UpdateStatus.STATES.contains(state)) {
                    throw new ProtocolException("state must be one of " + UpdateStatus.STATES);
                }
                yield new UpdateStatus(text(n, "version"), state, n.hasNonNull("reason") ? text(n, "reason") : null);
            }
            case "tasks" -> new TaskChanges(list(n, "upsert", "upsert", ProtocolCodec::task),
                    list(n, "remove", "remove", ProtocolCodec::textValue));
            case "policy" -> new PolicyUpdate(policy(object(n, "policy")));
            case "instant" -> new InstantTest(text(n, "id"), task(object(n, "task")));
            case "ack" -> new Ack(text(n, "batch"), integer(n, "stored"), integer(n, "duplicates"));
            case "error" -> new ErrorReply(text(n, "message"));
            default -> throw new ProtocolException("type '" + type + "' is unknown");
        };
    }

    private static ObjectNode policy(Policy p) {
        ObjectNode n = MAPPER.createObjectNode();
        ArrayNode allow = n.putArray("allow");
        p.allow().forEach(allow::add);
        ArrayNode deny = n.putArray("deny");
        p.deny().forEach(deny::add);
        ArrayNode ports = n.putArray("denyPorts");
        p.denyPorts().forEach(r -> {
            ObjectNode e = ports.addObject();
            if (r.range() != null) {
                e.put("range", r.range());
            }
            e.put("from", r.from()).put("to", r.to());
        });
        return n;
    }

    private static Policy policy(JsonNode n) {
        List<Policy.PortRange> ports = list(n, "denyPorts", "policy.denyPorts", r -> {
            if (!r.isObject()) {
                throw new ProtocolException("policy.denyPorts entries must be objects {range?, from, to}, got " + r);
            }
            JsonNode range = r.get("range");
            return new Policy.PortRange(range == null || range.isNull() ? null : textValue(range),
                    integer(r, "from"), integer(r, "to"));
        });
        return new Policy(list(n, "allow", "policy.allow", ProtocolCodec::textValue),
                list(n, "deny", "policy.deny", ProtocolCodec::textValue), ports);
    }

    private static TaskSpec task(JsonNode n) {
        try {
            return TaskSpecJson.parse(n);
        } catch (InvalidTaskException e) {
            throw new ProtocolException("task is invalid: " + e.getMessage(), e);
        }
    }

    private static ProbeResult result(JsonNode n) {
        try {
            return ResultJson.parse(n);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage(), e);
        }
    }

    private static void putStrings(ObjectNode target, Map<String, String> values) {
        values.forEach(target::put);
    }

    private static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw new ProtocolException(name + " is missing");
        }
        return v;
    }

    private static JsonNode object(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isObject()) {
            throw new ProtocolException(name + " must be an object");
        }
        return v;
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isTextual()) {
            throw new ProtocolException(name + " must be a string");
        }
        return v.textValue();
    }

    private static String textValue(JsonNode v) {
        if (!v.isTextual()) {
            throw new ProtocolException("expected a string, got " + v);
        }
        return v.textValue();
    }

    private static boolean bool(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isBoolean()) {
            throw new ProtocolException(name + " must be true or false");
        }
        return v.booleanValue();
    }

    private static double number(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isNumber()) {
            throw new ProtocolException(name + " must be a number");
        }
        return v.doubleValue();
    }

    private static long whole(JsonNode n, String name) {
        JsonNode v = field(n, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ProtocolException(name + " must be a whole number");
        }
        return v.longValue();
    }

    private static int integer(JsonNode n, String name) {
        long v = whole(n, name);
        if (v != (int) v) {
            throw new ProtocolException(name + " is out of range");
        }
        return (int) v;
    }

    private static Instant instant(JsonNode n, String name) {
        try {
            return Instant.parse(text(n, name));
        } catch (DateTimeParseException e) {
            throw new ProtocolException(name + " must be an ISO-8601 instant");
        }
    }

    private static java.time.Duration duration(JsonNode n, String name) {
        try {
            return Durations.parse(text(n, name));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(name + ": " + e.getMessage());
        }
    }

    private static Map<String, String> strings(JsonNode n, String name) {
        JsonNode v = n.get(name);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw new ProtocolException(name + " must be an object of strings");
        }
        v.properties().forEach(e -> out.put(e.getKey(), textValue(e.getValue())));
        return out;
    }

    /** A heartbeat's optional {@code meters}: keys not in {@link AgentMeter} are dropped, so the set stays bounded. */
    private static Map<AgentMeter, Double> meters(JsonNode n) {
        JsonNode v = n.get("meters");
        Map<AgentMeter, Double> out = new java.util.EnumMap<>(AgentMeter.class);
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw new ProtocolException("meters must be an object of numbers");
        }
        v.properties().forEach(e -> AgentMeter.byKey(e.getKey()).ifPresent(m -> {
            if (!e.getValue().isNumber()) {
                throw new ProtocolException("meters." + e.getKey() + " must be a number");
            }
            out.put(m, e.getValue().doubleValue());
        }));
        return out;
    }

    private static <T> List<T> list(JsonNode n, String name, String path, Function<JsonNode, T> element) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ProtocolException(path + " must be an array");
        }
        List<T> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            out.add(element.apply(e));
        }
        return out;
    }
}
