package dev.vantage.server.results;

import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidFieldException;
import dev.vantage.server.errors.Message;
import dev.vantage.server.json.JsonMapping;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.probe.engine.Durations;
import dev.vantage.server.security.Role;
import dev.vantage.server.results.rollups.RollupStore;
import dev.vantage.server.results.rollups.Rollups;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import dev.vantage.server.results.places.Places;
import dev.vantage.server.results.places.Places.Dimension;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/tasks/{id}/results} (raw results, newest first), {@code .../aggregates} (per bucket and agent, or
 * agent label), {@code .../heatmap} (per bucket, results per latency band) and {@code .../matrix} (a window per
 * province × carrier).
 */
public final class ResultsApi implements ApiModule {
    static final int MAX_BUCKETS = 10_000;
    static final Duration DEFAULT_WINDOW = Duration.ofHours(1);

    private final ResultStore results;
    private final Predicate<String> taskExists;
    private final Predicate<String> agentExists;
    private final Clock clock;
    private final Aggregates aggregates;
    private final int maxAggregateRows;
    private final Supplier<Map<String, Map<String, String>>> agentLabels;

    /**
     * @param taskExists  whether a task id is known (the tasks slice answers), so an unknown one is a 404
     * @param agentExists whether an agent id is enrolled (the agents slice answers)
     * @param agentLabels every enrolled agent's labels by id (the agents slice answers; read once per request)
     */
    public ResultsApi(ResultStore results, Rollups rollups, Predicate<String> taskExists,
                      Predicate<String> agentExists, Supplier<Map<String, Map<String, String>>> agentLabels,
                      Clock clock, int maxAggregateRows) {
        this.results = results;
        this.taskExists = taskExists;
        this.agentExists = agentExists;
        this.agentLabels = agentLabels;
        this.clock = clock;
        this.aggregates = new Aggregates(results, rollups, maxAggregateRows);
        this.maxAggregateRows = maxAggregateRows;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/tasks/{id}/results", Role.VIEWER, this::list)
                .get("/api/v1/tasks/{id}/aggregates", Role.VIEWER, this::aggregates)
                .get("/api/v1/tasks/{id}/heatmap", Role.VIEWER, this::heatmap)
                .get("/api/v1/tasks/{id}/matrix", Role.VIEWER, this::matrix);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String taskId = existingTask(req);
        QueryParams q = new QueryParams(req);
        String agent = knownAgent(taskId, q);
        Instant from = q.instant("from");
        Instant to = q.instant("to");
        int limit = q.integer("limit", 100, 1, 1000);
        String cursor = q.string("cursor");
        q.check();
        ResultStore.Page page;
        try {
            page = results.page(taskId, agent, from, to, limit, cursor);
        } catch (InvalidFieldException e) { // the store's one refusal: a cursor it did not write
            throw new InvalidInputException(e.error());
        }
        // the stored documents are already JSON objects: splice them in, the agent's id first, rather than parse
        // and re-write each one
        StringBuilder body = new StringBuilder("{\"items\":[");
        for (int i = 0; i < page.items().size(); i++) {
            ResultStore.Item item = page.items().get(i);
            body.append(i == 0 ? "{" : ",{").append("\"agentId\":").append(JsonMapping.write(item.agentId()));
            String rest = item.body().substring(item.body().indexOf('{') + 1).stripLeading();
            body.append(rest.startsWith("}") ? "" : ",").append(rest);
        }
        body.append("],\"next\":").append(page.next() == null ? "null" : JsonMapping.write(page.next())).append('}');
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The window and bucket size of an {@code /aggregates} or {@code /heatmap} request. */
    private record Window(String taskId, String agent, Instant from, Instant to, Duration bucket) {
    }

    /**
     * Reads {@code agent}, {@code from}, {@code to} (default: the last hour) and {@code bucket} (default 1m), then
     * reports every bad parameter of {@code q} at once (also those read before).
     */
    private Window window(ServerRequest req, QueryParams q) {
        String taskId = existingTask(req);
        String agent = knownAgent(taskId, q);
        Instant[] range = range(q);
        Duration bucket = bucket(q);
        if (range != null && bucket != null && Duration.between(range[0], range[1]).dividedBy(bucket) > MAX_BUCKETS) {
            q.error("bucket", Message.of("results.buckets", MAX_BUCKETS));
        }
        q.check();
        return new Window(taskId, agent, range[0], range[1], bucket);
    }

    /** {@code from} and {@code to} (default: the last hour), or {@code null} after reporting them. */
    private Instant[] range(QueryParams q) {
        Instant to = q.instant("to");
        Instant from = q.instant("from");
        to = to == null ? clock.instant() : to;
        from = from == null ? to.minus(DEFAULT_WINDOW) : from;
        if (!from.isBefore(to)) {
            q.error("from", Message.of("results.fromTo"));
            return null;
        }
        return new Instant[] {from, to};
    }

    /** The answer's fields that describe the window, in the order both answers list them. */
    private static Map<String, Object> describe(Window w) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("taskId", w.taskId());
        body.put("bucket", Durations.format(w.bucket()));
        body.put("from", w.from());
        body.put("to", w.to());
        return body;
    }

    private void aggregates(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        String by = by(q);
        Window w = window(req, q);
        Dimension label = Dimension.of(by);
        Aggregates.Answer answer = readingRollups(() -> label == null
                ? aggregates.query(w.taskId(), w.agent(), w.from(), w.to(), w.bucket(), by.equals("agent"))
                : aggregates.query(w.taskId(), w.agent(), w.from(), w.to(), w.bucket(), groupOf(label)));
        Map<String, Object> body = describe(w);
        body.put("by", by);
        body.put("resolution", answer.resolution());
        body.put("items", answer.items());
        Json.send(res, body);
    }

    /** A latency heatmap: per bucket, all agents merged (or {@code agent}'s), successful results per latency band. */
    private void heatmap(ServerRequest req, ServerResponse res) {
        QueryParams q = new QueryParams(req);
        Window w = window(req, q);
        Aggregates.Heatmap heatmap = readingRollups(() ->
                aggregates.heatmap(w.taskId(), w.agent(), w.from(), w.to(), w.bucket()));
        Map<String, Object> body = describe(w);
        body.put("resolution", heatmap.resolution());
        body.put("edges", heatmap.edges());
        body.put("items", heatmap.items());
        Json.send(res, body);
    }

    /** A window of the task's results per province × carrier, and per province, carrier and country. */
    private void matrix(ServerRequest req, ServerResponse res) {
        String taskId = existingTask(req);
        QueryParams q = new QueryParams(req);
        Instant[] range = range(q);
        q.check();
        Map<String, Map<String, String>> labels = agentLabels.get();
        Aggregates.Matrix matrix = readingRollups(() -> aggregates.matrix(taskId, range[0], range[1],
                agent -> labels.getOrDefault(agent, Map.of())));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("taskId", taskId);
        body.put("from", range[0]);
        body.put("to", range[1]);
        body.put("resolution", matrix.resolution());
        body.put("cells", matrix.cells());
        body.put("provinces", matrix.provinces());
        body.put("carriers", matrix.carriers());
        body.put("countries", matrix.countries());
        Json.send(res, body);
    }

    /** An agent's group in {@code d}, from the labels it has now (a deleted agent's results are {@code unknown}). */
    private Function<String, String> groupOf(Dimension d) {
        Map<String, Map<String, String>> labels = agentLabels.get();
        return agent -> Places.get().key(d, labels.getOrDefault(agent, Map.of()));
    }

    /** Runs a read of {@link Aggregates}; too many raw rows is the bucket's fault. */
    private <T> T readingRollups(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ResultStore.TooManyRows e) {
            // only buckets that are not whole minutes read raw results for the whole window
            throw new InvalidInputException(FieldError.of("bucket", "results.tooManyRows", maxAggregateRows));
        }
    }

    /**
     * {@code by=agent} (default): a bucket per agent; {@code all}: all agents merged into one; {@code isp},
     * {@code province}, {@code country}, {@code region}: the agents merged per (normalised) label value.
     */
    private static String by(QueryParams q) {
        String by = q.string("by");
        if (by == null) {
            return "agent";
        }
        if (!by.equals("agent") && !by.equals("all") && Dimension.of(by) == null) {
            q.error("by", Message.of("results.by"));
        }
        return by;
    }

    /**
     * The {@code agent} filter, if any: an agent that is enrolled, or that once sent results of this task (it may
     * have been deleted since). Any other id is a typo, not an empty answer.
     */
    private String knownAgent(String taskId, QueryParams q) {
        String agent = q.string("agent");
        if (agent != null && !agentExists.test(agent) && !results.hasAgent(taskId, agent)) {
            throw new NotFoundException("agent");
        }
        return agent;
    }

    /** The bucket size (default 1m), or {@code null} after reporting a bad one. */
    private static Duration bucket(QueryParams q) {
        String text = q.string("bucket");
        if (text == null) {
            return Duration.ofMinutes(1);
        }
        try {
            Duration bucket = Durations.parse(text);
            if (bucket.compareTo(Duration.ofSeconds(1)) >= 0 && bucket.compareTo(Duration.ofDays(31)) <= 0) {
                return bucket;
            }
            q.error("bucket", Message.of("results.bucket"));
        } catch (IllegalArgumentException e) {
            q.error("bucket", Message.of("json.duration", text));
        }
        return null;
    }

    private String existingTask(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!taskExists.test(id)) {
            throw new NotFoundException("task");
        }
        return id;
    }
}
