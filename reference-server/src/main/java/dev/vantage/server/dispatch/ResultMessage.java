package dev.vantage.server.dispatch;

import dev.vantage.server.json.JsonMapping;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.server.results.ResultStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
        try (JsonGenerator g = JsonMapping.MAPPER.createGenerator(out)) {
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

    /**
     * Reads a batch, keeping each result's JSON text as it is in the message for the {@code body} column: the
     * publishing replica wrote it with {@link ResultJson#write}, so it is already the stored form, and not
     * re-encoding it saves the consumer a third of its work.
     *
     * @throws IllegalArgumentException if the bytes are not a batch this server could store
     */
    static ResultStore.Batch decode(byte[] body) {
        String agent = null;
        List<ProbeResult> results = null;
        List<String> texts = null;
        try (JsonParser p = JsonMapping.MAPPER.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notABatch();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("agent") && value == JsonToken.VALUE_STRING) {
                    agent = p.getText();
                } else if (field.equals("results") && value == JsonToken.START_ARRAY) {
                    results = new ArrayList<>();
                    texts = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        int from = (int) p.currentTokenLocation().getByteOffset();
                        JsonNode r = p.readValueAsTree();
                        int to = (int) p.currentLocation().getByteOffset();
                        results.add(ResultJson.parse(r));
                        texts.add(new String(body, from, to - from, StandardCharsets.UTF_8));
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (agent == null || results == null) {
            throw notABatch();
        }
        ResultStore.validate(results);
        return new ResultStore.Batch(agent, results, texts);
    }

    private static IllegalArgumentException notABatch() {
        return new IllegalArgumentException("not a result batch (needs \"agent\" and \"results\")");
    }
}
