package dev.vantage.server.alerting.channels;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The wording of every notification, in zh and en: a title, and a body in plain text or in markdown (for the vendors
 * that render it), from templates with named placeholders ({@link Templates}), which a channel may override.
 */
final class Messages {
    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private static final Map<String, String> EN = Map.of(
            "title.firing", "[FIRING] {rule}: {task}",
            "title.reminder", "[STILL FIRING] {rule}: {task}",
            "title.resolved", "[RESOLVED] {rule}: {task}",
            "title.test", "[TEST] {rule}: {task}",
            "text", """
                    Rule: {rule}
                    Task: {task}
                    Target: {target}
                    At: {at}
                    Summary: {summary}
                    Bad agents: {agents}
                    Incident: {link}""",
            "markdown", """
                    ### {title}
                    - **Rule:** {rule}
                    - **Task:** {task}
                    - **Target:** {target}
                    - **At:** {at}
                    - **Summary:** {summary}
                    - **Bad agents:** {agents}

                    [Open the incident]({link})""");

    private static final Map<String, String> ZH = Map.of(
            "title.firing", "【告警】{rule}：{task}",
            "title.reminder", "【告警持续】{rule}：{task}",
            "title.resolved", "【已恢复】{rule}：{task}",
            "title.test", "【测试】{rule}：{task}",
            "text", """
                    规则：{rule}
                    任务：{task}
                    目标：{target}
                    时间：{at}
                    概要：{summary}
                    异常节点：{agents}
                    事件：{link}""",
            "markdown", """
                    ### {title}
                    - **规则：** {rule}
                    - **任务：** {task}
                    - **目标：** {target}
                    - **时间：** {at}
                    - **概要：** {summary}
                    - **异常节点：** {agents}

                    [查看事件]({link})""");

    private final String language;
    private final Map<String, String> templates;
    private final String listSeparator;

    private Messages(String language, Map<String, String> templates, String listSeparator) {
        this.language = language;
        this.templates = templates;
        this.listSeparator = listSeparator;
    }

    /** The messages of {@code language}: Chinese for {@code zh}, English otherwise. */
    static Messages of(Locale language) {
        return of(language, Templates.NONE);
    }

    /** A channel's messages: those of its language, with its own templates where it has them. */
    static Messages of(ChannelContext context) {
        return of(context.language(), context.templates());
    }

    private static Messages of(Locale language, Templates own) {
        return language.getLanguage().equals("zh") ? new Messages("zh", own.over(ZH), "、")
                : new Messages("en", own.over(EN), ", ");
    }

    /** The language the messages are in: {@code zh} or {@code en}. */
    String language() {
        return language;
    }

    /** One notification, rendered. */
    record Message(String title, String text, String markdown) {
    }

    Message render(Notification n) {
        Map<String, String> values = new HashMap<>();
        values.put("kind", n.kind().name().toLowerCase(Locale.ROOT));
        values.put("rule", orDash(n.ruleName()));
        values.put("task", orDash(n.taskName()));
        values.put("target", orDash(n.target()));
        values.put("at", AT.format(n.at()));
        values.put("summary", orDash(n.summary()));
        values.put("agents", n.badAgents().isEmpty() ? "-" : String.join(listSeparator, n.badAgents()));
        values.put("incident", orDash(n.incidentId()));
        values.put("link", n.link() == null ? "-" : n.link().toString());
        values.put("title", fill(templates.get("title." + values.get("kind")), values));
        return new Message(values.get("title"), fill(templates.get("text"), values), fill(templates.get("markdown"), values));
    }

    private static String orDash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }

    /** Replaces each known {name} once; values are inserted as they are, never read as templates themselves. */
    private static String fill(String template, Map<String, String> values) {
        return Templates.PLACEHOLDER.matcher(template)
                .replaceAll(m -> Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
    }
}
