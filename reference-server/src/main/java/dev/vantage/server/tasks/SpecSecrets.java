package dev.vantage.server.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.json.TaskSpecJson;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.security.secrets.SecretBox;
import java.util.List;
import java.util.Map;

/**
 * Task specs as stored (tasks, instant tests): the secret parameters, those the plugin declares
 * {@link ParameterSpec#secret()}, sealed by the {@link SecretBox} for their table, row and name, so the database and
 * its backups never hold them in the clear.
 */
public final class SpecSecrets {
    private final SecretBox box;
    private final Map<String, ProbeDescriptor> descriptors;

    /** @param descriptors the installed plugins' descriptors by type, which say which parameters are secret */
    public SpecSecrets(SecretBox box, Map<String, ProbeDescriptor> descriptors) {
        this.box = box;
        this.descriptors = Map.copyOf(descriptors);
    }

    /** The spec's JSON for its row (the spec's id) in {@code table}, secret parameters sealed. */
    public String write(String table, TaskSpec spec) {
        ObjectNode json = TaskSpecJson.toJson(spec);
        if (json.get("params") instanceof ObjectNode params) {
            box.sealFields(params, secretNames(spec.type()), where(table, spec.id()));
        }
        return JsonMapping.write(json);
    }

    /**
     * The spec stored in row {@code id} of {@code table}, secret parameters opened.
     *
     * @throws dev.vantage.server.security.secrets.UnreadableSecretException if one does not open
     */
    public TaskSpec read(String table, String id, String stored) {
        ObjectNode json = (ObjectNode) JsonMapping.parseStored(stored);
        if (json.get("params") instanceof ObjectNode params) {
            box.openFields(params, secretNames(json.path("type").asText()), where(table, id));
        }
        return TaskSpecJson.parse(json);
    }

    /**
     * The stored JSON with every secret parameter sealed with the current key (plaintext ones too), or {@code null}
     * when all already are: what {@code rotate-secrets} writes back.
     */
    public SecretBox.Resealed reseal(String table, String id, String stored) {
        ObjectNode json = (ObjectNode) JsonMapping.parseStored(stored);
        int changed = json.get("params") instanceof ObjectNode params
                ? box.resealFields(params, secretNames(json.path("type").asText()), where(table, id)) : 0;
        return new SecretBox.Resealed(changed == 0 ? null : JsonMapping.write(json), changed);
    }

    private List<String> secretNames(String type) {
        ProbeDescriptor d = descriptors.get(type);
        return d == null ? List.of() : d.parameters().stream().filter(ParameterSpec::secret).map(ParameterSpec::name).toList();
    }

    private static String where(String table, String id) {
        return table + "/" + id + "/params.";
    }
}
