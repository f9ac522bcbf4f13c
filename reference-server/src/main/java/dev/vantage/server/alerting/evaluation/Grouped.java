package dev.vantage.server.alerting.evaluation;

import java.time.Instant;

/**
 * A task whose failures are explained by a task it depends on, while an alert of that task fires: its own alerts
 * stay quiet, and it is listed under the firing alert's incident instead.
 */
public record Grouped(String ruleId, String parentTaskId, String taskId, Instant at, Summary reason) {
}
