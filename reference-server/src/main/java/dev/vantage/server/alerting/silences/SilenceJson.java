package dev.vantage.server.alerting.silences;

import dev.vantage.server.errors.InvalidValueException;
import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.alerting.rules.RuleJson;
import dev.vantage.server.alerting.rules.TaskMatch;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.http.JsonInput;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of a silence, in the API and the database alike:
 * <pre>{@code
 * {"tasks": {"labels": {"env": "prod"}}, "rule": "<rule id, optional>", "comment": "database upgrade",
 *  "once": {"from": "2026-12-08T01:00:00Z", "until": "2026-12-08T03:00:00Z"}}
 * {"tasks": {"task": "web"}, "weekly": {"days": ["sat", "sun"], "from": "02:00", "to": "04:00", "timeZone": "Asia/Shanghai"}}
 * }</pre>
 */
public final class SilenceJson {
    private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    /** A silence as read from JSON, before the server gives it an id. */
    public record Definition(TaskMatch tasks, String ruleId, Silence.When when, String comment) {
    }

    private SilenceJson() {
    }

    /** @throws InvalidInputException naming every bad field ({@code once.until}, {@code weekly.timeZone}...) */
    public static Definition parse(ObjectNode body) {
        JsonInput in = JsonInput.of(body, "tasks", "rule", "once", "weekly", "comment");
        TaskMatch tasks = RuleJson.tasks(in);
        String rule = in.optionalString("rule", 36);
        String comment = in.optionalString("comment", 500);
        Silence.When when = null;
        if (in.has("once") == in.has("weekly")) {
            in.error("once", Message.of("silence.onceOrWeekly"));
        } else if (in.has("once")) {
            when = once(in.object("once", "from", "until"));
        } else {
            when = weekly(in.object("weekly", "days", "from", "to", "timeZone"));
        }
        in.check();
        return new Definition(tasks, rule, when, comment);
    }

    private static Silence.When once(JsonInput in) {
        if (in == null) {
            return null;
        }
        Instant from = in.convert("from", in.requiredString("from", 64), SilenceJson::instant);
        Instant until = in.convert("until", in.requiredString("until", 64), SilenceJson::instant);
        if (from != null && until != null && !until.isAfter(from)) {
            in.error("until", Message.of("time.afterFrom"));
            return null;
        }
        return from == null || until == null ? null : new Silence.Once(from, until);
    }

    private static Silence.When weekly(JsonInput in) {
        if (in == null) {
            return null;
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        JsonNode dayList = in.node("days");
        if (dayList == null || !dayList.isArray() || dayList.isEmpty()) {
            in.error("days", Message.of("silence.days", String.join(", ", DAYS)));
        } else {
            for (JsonNode d : dayList) {
                int i = d.isTextual() ? DAYS.indexOf(d.textValue().toLowerCase(Locale.ROOT)) : -1;
                if (i < 0) {
                    in.error("days", Message.of("silence.days", String.join(", ", DAYS)));
                    break;
                }
                days.add(DayOfWeek.of(i + 1));
            }
        }
        LocalTime from = in.convert("from", in.requiredString("from", 8), SilenceJson::time);
        LocalTime to = in.convert("to", in.requiredString("to", 8), SilenceJson::time);
        ZoneId zone = in.convert("timeZone", in.requiredString("timeZone", 64), SilenceJson::zone);
        if (from != null && from.equals(to)) {
            in.error("to", Message.of("silence.to"));
            return null;
        }
        return days.isEmpty() || from == null || to == null || zone == null ? null : new Silence.Weekly(days, from, to, zone);
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidValueException(Message.of("silence.instant"));
        }
    }

    private static LocalTime time(String text) {
        try {
            return LocalTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidValueException(Message.of("silence.time"));
        }
    }

    private static ZoneId zone(String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new InvalidValueException(Message.of("silence.zone"));
        }
    }

    public static Map<String, Object> toJson(Definition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tasks", RuleJson.toJson(d.tasks()));
        m.put("rule", d.ruleId());
        m.putAll(whenJson(d.when()));
        m.put("comment", d.comment());
        return m;
    }

    /** {@code {"once": {...}}} or {@code {"weekly": {...}}}. */
    public static Map<String, Object> whenJson(Silence.When when) {
        return switch (when) {
            case Silence.Once o -> Map.of("once", Map.of("from", o.from().toString(), "until", o.until().toString()));
            case Silence.Weekly w -> Map.of("weekly", Map.of(
                    "days", w.days().stream().sorted().map(d -> DAYS.get(d.getValue() - 1)).toList(),
                    "from", w.from().toString(), "to", w.to().toString(), "timeZone", w.zone().getId()));
        };
    }
}
