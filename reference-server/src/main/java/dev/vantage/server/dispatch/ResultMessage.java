package dev.vantage.server.dispatch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.engine.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.http.Json;
import dev.vantage.server.results.ResultStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One agent batch on the results queue: {@code {"agent": "<agent id>", "results": [<result JSON>...]}}, the result
 * JSON of docs/result-json.md.
 */
final class ResultMessage {
    private ResultMessage() {
    }

    static byte[] encode(String agentId, List<ProbeResult> results) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + results.size() * 512);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("agent", agentId);
            g.writeArrayFieldStart("results");
            for (ProbeResult r : results) {
                ResultJson.write(r, g);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does no I/O
        }
        return out.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not a batch this server could store */
    static ResultStore.Batch decode(byte[] body) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (n == null || !n.path("agent").isTextual() || !n.path("results").isArray()) {
            throw new IllegalArgumentException("not a result batch (needs \"agent\" and \"results\")");
        }
        List<ProbeResult> results = new ArrayList<>(n.get("results").size());
        for (JsonNode r : n.get("results")) {
            results.add(ResultJson.parse(r));
        }
        ResultStore.validate(results);
        return new ResultStore.Batch(n.get("agent").textValue(), results);
    }
}
