package dev.vantage.server.status;

import dev.vantage.server.http.Revalidation;
import dev.vantage.server.json.JsonMapping;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What anyone may see of a status page, built from {@link StatusSources} and kept in memory per page and language for
 * {@link #maxAge}: a page read by thousands costs the database one rebuild per page, language and period (each
 * replica has its own copy). An admin's change drops this replica's copies at once; other replicas show it within
 * {@link #maxAge}. Only display names, and targets the admin chose to show, leave this class: never task ids.
 */
public final class PublicStatus {
    /** How long a built page is served from memory: 30 s, as Uptime Kuma's public pages. */
    public static final Duration MAX_AGE = Duration.ofSeconds(30);
    static final int DAYS = 90;
    /** How far back "now" looks for a task's newest minute of results. */
    private static final Duration RECENT = Duration.ofMinutes(10);

    /**
     * A built page: its JSON written once (a page of 100 tasks × 90 days is ~0.5 MB: writing it for every reader was
     * what a request cost) with its entity tag, and each of its tasks' part by task id (for the one-task route).
     */
    record View(byte[] body, String etag, Map<String, Map<String, Object>> tasks, Instant builtAt) {
        static View of(Map<String, Object> json, Map<String, Map<String, Object>> tasks, Instant builtAt) {
            byte[] body = JsonMapping.bytes(json);
            return new View(body, Revalidation.etag(body), tasks, builtAt);
        }
    }

    private record Key(String slug, Locale locale) {
    }

    private record Cached(Optional<View> view, Instant builtAt) {
    }

    private final StatusPageStore pages;
    private final StatusSources sources;
    private final Clock clock;
    private final Duration maxAge;
    private final Counter builds;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    public PublicStatus(StatusPageStore pages, StatusSources sources, Clock clock, Duration maxAge, MeterRegistry registry) {
        this.pages = pages;
        this.sources = sources;
        this.clock = clock;
        this.maxAge = maxAge;
        this.builds = Counter.builder("vantage.status.page.builds")
                .description("Public status pages built from the database (the rest are answered from memory)")
                .register(registry);
    }

    /** The page with this slug as the public sees it, in {@code locale}; empty when there is none. */
    public Optional<View> view(String slug, Locale locale) {
        Instant now = clock.instant();
        // compute() lets one caller rebuild while the others of the same page wait for its answer
        return cache.compute(new Key(slug, locale), (k, old) -> old != null && old.builtAt().plus(maxAge).isAfter(now)
                ? old : new Cached(build(slug, locale, now), now)).view();
    }

    /** Drops every built page: one was created, changed or deleted. */
    public void forget() {
        cache.clear();
    }

    private Optional<View> build(String slug, Locale locale, Instant now) {
        builds.increment();
        Optional<StatusPage> found = pages.bySlug(slug);
        if (found.isEmpty()) {
            return Optional.empty(); // remembered too: asking for a missing page often costs no more than a present one
        }
        StatusPage.Definition d = found.get().definition();
        Map<String, Map<String, Object>> byTask = new LinkedHashMap<>();
        List<Map<String, Object>> groups = new ArrayList<>();
        List<String> states = new ArrayList<>();
        for (StatusPage.Group g : d.groups()) {
            List<Map<String, Object>> tasks = new ArrayList<>();
            for (StatusPage.Item item : g.items()) {
                Map<String, Object> t = byTask.computeIfAbsent(item.taskId(), id -> task(item, locale, now));
                tasks.add(t);
                states.add((String) t.get("state"));
            }
            groups.add(Map.of("name", g.name(), "tasks", tasks));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("slug", d.slug());
        json.put("title", d.title());
        json.put("logo", d.logo());
        json.put("state", overall(states));
        json.put("announcements", StatusPage.toJson(d).get("announcements"));
        json.put("groups", groups);
        json.put("builtAt", now);
        json.put("maxAgeSeconds", maxAge.toSeconds());
        return Optional.of(View.of(json, byTask, now));
    }

    private Map<String, Object> task(StatusPage.Item item, Locale locale, Instant now) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", item.name());
        Optional<String> target = sources.target(item.taskId());
        if (item.showTarget()) {
            t.put("target", target.orElse(null));
        }
        List<StatusSources.OpenIncident> incidents = target.isEmpty() ? List.of() : sources.openIncidents(item.taskId(), locale);
        String state = "unknown";
        if (target.isPresent()) {
            Optional<Double> latest = sources.latestAvailability(item.taskId(), now.minus(RECENT), now);
            state = latest.map(a -> a >= 100 ? "up" : a <= 0 ? "down" : "degraded").orElse("unknown");
            if (state.equals("up") && !incidents.isEmpty()) {
                state = "degraded";
            }
        }
        t.put("state", state);
        Instant first = now.truncatedTo(ChronoUnit.DAYS).minus(DAYS - 1, ChronoUnit.DAYS);
        Map<Instant, StatusSources.Day> days = new LinkedHashMap<>();
        if (target.isPresent()) {
            sources.daily(item.taskId(), first, now).forEach(day -> days.put(day.start(), day));
        }
        List<Map<String, Object>> bars = new ArrayList<>();
        double successes = 0;
        long total = 0;
        for (int i = 0; i < DAYS; i++) {
            Instant start = first.plus(i, ChronoUnit.DAYS);
            StatusSources.Day day = days.get(start);
            Map<String, Object> bar = new LinkedHashMap<>();
            bar.put("date", start.toString().substring(0, 10));
            bar.put("count", day == null ? 0 : day.count());
            bar.put("availability", day == null ? null : day.availability());
            bars.add(bar);
            if (day != null) {
                successes += day.availability() * day.count() / 100.0;
                total += day.count();
            }
        }
        t.put("uptime", total == 0 ? null : 100.0 * successes / total);
        t.put("days", bars);
        t.put("incidents", incidents.stream().map(i -> Map.of("startedAt", i.startedAt(), "summary", i.summary())).toList());
        return t;
    }

    /** The page's headline: down if any task is, else degraded if any is, up if all are, else unknown. */
    private static String overall(List<String> states) {
        for (String worst : List.of("down", "degraded")) {
            if (states.contains(worst)) {
                return worst;
            }
        }
        return !states.isEmpty() && states.stream().allMatch("up"::equals) ? "up" : "unknown";
    }
}
