package dev.vantage.server.status;

import dev.vantage.server.errors.Message;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.http.JsonInput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A public status page as an admin composed it: tasks in groups, each shown under a display name (its target only when
 * {@code showTarget}), a title, an optional logo and announcements. The JSON form is the API's and the database's:
 * <pre>{@code
 * {"slug": "acme", "title": "Acme status", "logo": "https://acme.example/logo.svg",
 *  "groups": [{"name": "Web", "tasks": [{"task": "web-prod", "name": "Website", "showTarget": false}]}],
 *  "announcements": [{"title": "Upgrade tonight", "body": "02:00-03:00 UTC", "level": "info"}]}
 * }</pre>
 */
public record StatusPage(String id, Definition definition, Instant createdAt, Instant updatedAt) {
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** A logo is a web address, or a small image inline (data URL); the body limit bounds the latter too. */
    private static final Pattern LOGO = Pattern.compile("(https?://\\S+|data:image/(png|jpeg|gif|webp|svg\\+xml);base64,[A-Za-z0-9+/=]+)");
    private static final List<String> LEVELS = List.of("info", "warning", "outage");
    static final int MAX_TASKS = 200;

    public record Definition(String slug, String title, String logo, List<Group> groups, List<Announcement> announcements) {
        public Definition {
            groups = List.copyOf(groups);
            announcements = List.copyOf(announcements);
        }

        /** Every task on the page, in the order shown. */
        public List<Item> items() {
            return groups.stream().flatMap(g -> g.items().stream()).toList();
        }
    }

    public record Group(String name, List<Item> items) {
        public Group {
            items = List.copyOf(items);
        }
    }

    /** @param name what the page calls the task */
    public record Item(String taskId, String name, boolean showTarget) {
    }

    /** @param level {@code info}, {@code warning} or {@code outage} */
    public record Announcement(String title, String body, String level) {
    }

    /**
     * @param taskExists whether a task id names a task
     * @throws dev.vantage.server.errors.InvalidInputException naming every bad field ({@code groups[0].tasks[1].task}...)
     */
    public static Definition parse(ObjectNode body, Predicate<String> taskExists) {
        JsonInput in = JsonInput.of(body, "slug", "title", "logo", "groups", "announcements");
        String slug = in.requiredString("slug", 63);
        if (slug != null && !SLUG.matcher(slug).matches()) {
            in.error("slug", Message.of("status.slug"));
        }
        String title = in.requiredString("title", 200);
        String logo = in.optionalString("logo", 200_000);
        if (logo != null && !LOGO.matcher(logo).matches()) {
            in.error("logo", Message.of("status.logo"));
        }
        List<Group> groups = new ArrayList<>();
        int tasks = 0;
        for (JsonInput group : in.objects("groups", false, "name", "tasks")) {
            String name = group.requiredString("name", 100);
            List<Item> items = new ArrayList<>();
            for (JsonInput item : group.objects("tasks", false, "task", "name", "showTarget")) {
                String task = item.requiredString("task", 200);
                if (task != null && !taskExists.test(task)) {
                    item.error("task", Message.of("status.task"));
                }
                items.add(new Item(task, item.requiredString("name", 100), Boolean.TRUE.equals(item.optionalBoolean("showTarget"))));
                tasks++;
            }
            groups.add(new Group(name, items));
        }
        if (tasks > MAX_TASKS) {
            in.error("groups", Message.of("status.maxTasks", MAX_TASKS));
        }
        List<Announcement> announcements = new ArrayList<>();
        for (JsonInput ann : in.objects("announcements", true, "title", "body", "level")) {
            String level = ann.optionalString("level", 10);
            if (level != null && !LEVELS.contains(level)) {
                ann.error("level", Message.of("status.level"));
            }
            announcements.add(new Announcement(ann.requiredString("title", 200), ann.optionalString("body", 5000),
                    level == null ? "info" : level));
        }
        in.check();
        return new Definition(slug, title, logo, groups, announcements);
    }

    public static Map<String, Object> toJson(Definition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("slug", d.slug());
        m.put("title", d.title());
        m.put("logo", d.logo());
        m.put("groups", d.groups().stream().map(g -> Map.of("name", g.name(), "tasks", g.items().stream()
                .map(i -> Map.of("task", i.taskId(), "name", i.name(), "showTarget", i.showTarget())).toList())).toList());
        m.put("announcements", d.announcements().stream().map(a -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("title", a.title());
            x.put("body", a.body());
            x.put("level", a.level());
            return x;
        }).toList());
        return m;
    }
}
