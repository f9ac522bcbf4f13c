package dev.vantage.server.alerting.silences;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.alerting.rules.TaskMatch;
import dev.vantage.server.errors.InvalidFieldException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Set;

/**
 * A time when alerts of some tasks are recorded but nobody is told: a maintenance window. Either once
 * ({@link Once}: from, until) or every week ({@link Weekly}: days, from, to, in a time zone, e.g. Sundays 02:00-04:00
 * in Asia/Shanghai; a window whose end is before its start runs past midnight). Its checks name the field they
 * refuse ({@link InvalidFieldException}), which the JSON reader reports as it is.
 *
 * @param ruleId {@code null} for every rule
 */
public record Silence(String id, TaskMatch tasks, String ruleId, When when, String comment, String createdBy,
                      Instant createdAt) {

    public sealed interface When {
        boolean covers(Instant at);
    }

    public record Once(Instant from, Instant until) implements When {
        public Once {
            if (!until.isAfter(from)) {
                throw new InvalidFieldException("until", "time.afterFrom");
            }
        }

        @Override
        public boolean covers(Instant at) {
            return !at.isBefore(from) && at.isBefore(until);
        }
    }

    public record Weekly(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) implements When {
        public Weekly {
            days = Set.copyOf(days);
            if (days.isEmpty()) {
                throw new InvalidFieldException("days", "silence.noDays");
            }
            if (from.equals(to)) {
                throw new InvalidFieldException("to", "silence.to");
            }
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public boolean covers(Instant at) {
            ZonedDateTime local = at.atZone(zone);
            LocalTime time = local.toLocalTime();
            if (from.isBefore(to)) {
                return days.contains(local.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
            }
            // past midnight: the evening part belongs to the day it starts on, the morning part to the day before
            return days.contains(local.getDayOfWeek()) && !time.isBefore(from)
                    || days.contains(local.getDayOfWeek().minus(1)) && time.isBefore(to);
        }
    }

    /** Whether this silence keeps quiet about {@code ruleId} on {@code task} at {@code at}. */
    public boolean silences(String ruleId, TaskSpec task, Instant at) {
        return (this.ruleId == null || this.ruleId.equals(ruleId)) && tasks.matches(task) && when.covers(at);
    }
}
