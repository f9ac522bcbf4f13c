package dev.vantage.server.agents.api;

import dev.vantage.server.errors.Message;
import dev.vantage.server.agents.store.AgentPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.agent.protocol.Policy;
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.server.tasks.EngineProblems;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.http.JsonInput;
import dev.vantage.server.http.LabelsJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reading the agent API's structured fields (labels, policy), naming each bad one. */
final class JsonFields {
    static final List<String> POLICY_FIELDS = List.of("allowLoopback", "allowPrivate", "allow", "deny", "denyPorts");

    private JsonFields() {
    }

    /** Labels (see {@link LabelsJson}); null when missing or invalid, each problem reported to {@code in}. */
    static Map<String, String> labels(JsonNode parent, String field, JsonInput in) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        List<FieldError> errors = new ArrayList<>();
        Map<String, String> labels = LabelsJson.parse(v, field, errors);
        errors.forEach(e -> in.error(e.field(), e.text()));
        return labels;
    }

    /** An agent policy object; null when missing. CIDRs are checked by building the engine policy from them. */
    static AgentPolicy policy(JsonNode parent, String field, JsonInput in) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            in.error(field, Message.of("policy.object"));
            return null;
        }
        v.properties().forEach(e -> {
            if (!POLICY_FIELDS.contains(e.getKey())) {
                in.error(field + "." + e.getKey(), Message.of("json.unknownField", String.join(", ", POLICY_FIELDS)));
            }
        });
        return policyFields(v, field + ".", in);
    }

    /** The fields of a policy object whose unknown fields the caller already checked; {@code prefix} names them. */
    static AgentPolicy policyFields(JsonNode v, String prefix, JsonInput in) {
        int before = in.errors().size();
        boolean loopback = bool(v, "allowLoopback", prefix, in);
        boolean priv = bool(v, "allowPrivate", prefix, in);
        List<String> allow = cidrs(v, "allow", prefix, in);
        List<String> deny = cidrs(v, "deny", prefix, in);
        List<Policy.PortRange> ports = new ArrayList<>();
        JsonNode p = v.get("denyPorts");
        if (p != null && !p.isNull()) {
            if (!p.isArray()) {
                in.error(prefix + "denyPorts", Message.of("policy.denyPorts"));
            } else {
                for (int i = 0; i < p.size(); i++) {
                    JsonNode r = p.get(i);
                    String path = prefix + "denyPorts[" + i + "]";
                    int from = r.path("from").asInt(-1);
                    int to = r.path("to").asInt(-1);
                    if (!r.path("from").isInt() || !r.path("to").isInt() || from < 0 || to > 65535 || from > to) {
                        in.error(path, Message.of("policy.ports"));
                    } else {
                        ports.add(new Policy.PortRange(from, to));
                    }
                }
            }
        }
        return in.errors().size() == before ? new AgentPolicy(loopback, priv, allow, deny, ports) : null;
    }

    private static boolean bool(JsonNode v, String name, String prefix, JsonInput in) {
        JsonNode b = v.get(name);
        if (b == null || b.isNull()) {
            return false;
        }
        if (!b.isBoolean()) {
            in.error(prefix + name, Message.of("json.boolean"));
            return false;
        }
        return b.booleanValue();
    }

    private static List<String> cidrs(JsonNode v, String name, String prefix, JsonInput in) {
        JsonNode a = v.get(name);
        List<String> out = new ArrayList<>();
        if (a == null || a.isNull()) {
            return out;
        }
        if (!a.isArray()) {
            in.error(prefix + name, Message.of("policy.ranges"));
            return out;
        }
        for (int i = 0; i < a.size(); i++) {
            String path = prefix + name + "[" + i + "]";
            if (!a.get(i).isTextual()) {
                in.error(path, Message.of("policy.cidr"));
                continue;
            }
            String range = a.get(i).textValue();
            List<ConfigProblem> refused = new ArrayList<>();
            ConfigProblem.check(path, () -> AddressPolicy.builder().allow(range), refused);
            if (refused.isEmpty()) {
                out.add(range);
            } else {
                in.error(path, EngineProblems.text(refused.get(0))); // the engine's words, in the client's language
            }
        }
        return out;
    }
}
