package dev.vantage.server.sla;

import dev.vantage.server.errors.Message;
import dev.vantage.server.errors.NotFoundException;
import dev.vantage.server.http.ApiModule;
import dev.vantage.server.http.Json;
import dev.vantage.server.http.QueryParams;
import dev.vantage.server.http.Routes;
import dev.vantage.server.security.Role;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/tasks/{id}/sla/objective} (a task's objective), {@code /api/v1/tasks/{id}/sla} (its report) and
 * {@code /api/v1/sla} (the report over all tasks), as JSON or CSV ({@code format=csv}).
 */
public final class SlaApi implements ApiModule {
    /** Most periods one report covers: a year of days, about eight years of weeks or months. */
    static final int MAX_PERIODS = 400;

    private final ObjectiveStore objectives;
    private final SlaReports reports;
    private final SlaSources sources;

    public SlaApi(ObjectiveStore objectives, SlaReports reports, SlaSources sources) {
        this.objectives = objectives;
        this.reports = reports;
        this.sources = sources;
    }

    @Override
    public void routes(Routes routes) {
        String objective = "/api/v1/tasks/{id}/sla/objective";
        routes.get(objective, Role.VIEWER, (req, res) -> Json.send(res,
                        objectives.find(task(req)).orElseThrow(() -> new NotFoundException("SLA objective")).toJson()))
                .put(objective, Role.OPERATOR, (req, res) -> {
                    String id = task(req);
                    Objective o = Objective.parse(Json.readObject(req));
                    objectives.put(id, o);
                    Json.send(res, o.toJson());
                })
                .delete(objective, Role.OPERATOR, (req, res) -> {
                    if (!objectives.delete(task(req))) {
                        throw new NotFoundException("SLA objective");
                    }
                    res.status(Status.NO_CONTENT_204).send();
                })
                .get("/api/v1/tasks/{id}/sla", Role.VIEWER, (req, res) -> {
                    String id = task(req);
                    Query q = query(req);
                    send(res, q, id, reports.report(id, objectives.find(id).orElse(null), q.period(), q.periods()));
                })
                .get("/api/v1/sla", Role.VIEWER, (req, res) -> {
                    Query q = query(req);
                    send(res, q, "all-tasks", reports.reportAll(sources.taskIds(), objectives.all(), q.period(), q.periods()));
                });
    }

    private record Query(Period period, int periods, boolean csv) {
    }

    private static Query query(ServerRequest req) {
        QueryParams q = new QueryParams(req);
        String label = q.string("period");
        Period period = label == null ? Period.MONTH : Period.ofLabel(label);
        if (period == null) {
            q.error("period", Message.of("sla.period"));
        }
        int periods = q.integer("periods", 1, 1, MAX_PERIODS);
        String format = q.string("format");
        if (format != null && !format.equals("json") && !format.equals("csv")) {
            q.error("format", Message.of("sla.format"));
        }
        q.check();
        return new Query(period, periods, "csv".equals(format));
    }

    private String task(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        if (!sources.taskExists(id)) {
            throw new NotFoundException("task");
        }
        return id;
    }

    private static void send(ServerResponse res, Query q, String name, List<SlaReports.Row> rows) {
        if (!q.csv()) {
            Json.send(res, Map.of("period", q.period().label(), "items", rows.stream().map(SlaReports::fields).toList()));
            return;
        }
        StringBuilder csv = new StringBuilder();
        csv.append(String.join(",", SlaReports.COLUMNS)).append("\r\n");
        for (SlaReports.Row row : rows) {
            List<String> cells = SlaReports.fields(row).values().stream().map(SlaApi::cell).toList();
            csv.append(String.join(",", cells)).append("\r\n");
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"sla-" + name.replaceAll("[^A-Za-z0-9._-]", "_")
                + "-" + q.period().label() + ".csv\"");
        res.send(csv.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break; a leading formula sign is defused for spreadsheets. */
    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !(value instanceof Number)) {
            s = "'" + s;
        }
        return s.matches(".*[,\"\r\n].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
