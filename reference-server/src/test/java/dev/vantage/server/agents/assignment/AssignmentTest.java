package dev.vantage.server.agents.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.server.tasks.Selector;
import dev.vantage.server.tasks.StoredTask;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The assignment as a pure function: no server, no sockets. */
class AssignmentTest {
    private static final Map<String, String> BEIJING_UNICOM = Map.of("region", "beijing", "isp", "unicom");

    private static StoredTask task(String id, String type, Selector selector) {
        TaskSpec spec = TaskSpec.builder(type, "127.0.0.1:80").id(id).interval(Duration.ofSeconds(10)).build();
        return new StoredTask(spec, selector, List.of(), "admin", Instant.EPOCH, Instant.EPOCH, 1);
    }

    @Test
    void anAgentGetsTheTasksItsLabelsAndIdSelectAndItHasAPluginFor() {
        List<StoredTask> tasks = List.of(
                task("all-tcp", "tcp", Selector.ALL),
                task("beijing-http", "http", new Selector.Labels(Map.of("region", "beijing"))),
                task("shanghai-tcp", "tcp", new Selector.Labels(Map.of("region", "shanghai"))),
                task("mine", "tcp", new Selector.Agent("a1")),
                task("someone-elses", "tcp", new Selector.Agent("a2")),
                task("all-icmp", "icmp", Selector.ALL));

        Assignment.TaskSet set = Assignment.of("a1", BEIJING_UNICOM, Set.of("tcp", "http"), tasks);

        assertThat(set.tasks().keySet()).containsExactly("all-tcp", "beijing-http", "mine");
        assertThat(set.problems()).containsOnlyKeys("all-icmp");
        assertThat(set.problems().get("all-icmp")).hasToString("agent has no plugin for probe type 'icmp'");
        assertThat(set.problems().get("all-icmp").in(java.util.Locale.SIMPLIFIED_CHINESE))
                .isEqualTo("节点没有探测类型“icmp”的插件");
    }

    @Test
    void theDiffSendsOnlyNewOrChangedTasksAndTheIdsThatLeft() {
        TaskSpec same = task("same", "tcp", Selector.ALL).spec();
        TaskSpec changedBefore = task("changed", "tcp", Selector.ALL).spec();
        TaskSpec changedAfter = changedBefore.toBuilder().interval(Duration.ofSeconds(30)).build();
        TaskSpec gone = task("gone", "tcp", Selector.ALL).spec();
        TaskSpec added = task("added", "tcp", Selector.ALL).spec();
        Map<String, TaskSpec> before = new LinkedHashMap<>();
        before.put("same", same);
        before.put("changed", changedBefore);
        before.put("gone", gone);
        Map<String, TaskSpec> after = new LinkedHashMap<>();
        after.put("same", same);
        after.put("changed", changedAfter);
        after.put("added", added);

        Assignment.Diff diff = Assignment.diff(before, after);

        assertThat(diff.upsert()).containsExactly(changedAfter, added);
        assertThat(diff.remove()).containsExactly("gone");
        assertThat(Assignment.diff(after, after).isEmpty()).isTrue();
    }
}
