package dev.vantage.server.sla;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/** A report period in UTC: a day, an ISO week (Monday to Sunday) or a calendar month. */
public enum Period {
    DAY, WEEK, MONTH;

    /** The start of the period holding {@code t}. */
    public Instant floor(Instant t) {
        LocalDate d = LocalDate.ofInstant(t, ZoneOffset.UTC);
        LocalDate start = switch (this) {
            case DAY -> d;
            case WEEK -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> d.withDayOfMonth(1);
        };
        return start.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The start of the period after the one starting at {@code start}. */
    public Instant next(Instant start) {
        LocalDate d = LocalDate.ofInstant(start, ZoneOffset.UTC);
        return (switch (this) {
            case DAY -> d.plusDays(1);
            case WEEK -> d.plusWeeks(1);
            case MONTH -> d.plusMonths(1);
        }).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The start of the period {@code n} periods before the one starting at {@code start}. */
    public Instant minus(Instant start, int n) {
        LocalDate d = LocalDate.ofInstant(start, ZoneOffset.UTC);
        return (switch (this) {
            case DAY -> d.minusDays(n);
            case WEEK -> d.minusWeeks(n);
            case MONTH -> d.minusMonths(n);
        }).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return {@code null} for an unknown label */
    public static Period ofLabel(String label) {
        for (Period p : values()) {
            if (p.label().equals(label)) {
                return p;
            }
        }
        return null;
    }
}
