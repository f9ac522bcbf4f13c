package dev.vantage.server.alerting.incidents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.server.alerting.evaluation.Summary;
import dev.vantage.server.alerting.evaluation.Transition;
import dev.vantage.server.backends.Backends;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.db.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Transitions recorded together, on the embedded default and on PostgreSQL. */
class IncidentStoreIT {

    @Test
    void aBatchRecordsEveryTransitionEvenWhenOneWasRecordedElsewhereFirstOnH2() throws Exception {
        Path dir = Files.createTempDirectory("vantage-incidents");
        try (Database db = Database.open(ServerConfig.load(Map.of("VANTAGE_DATA_DIR", dir.toString())),
                new SimpleMeterRegistry(), java.util.List.of())) {
            aBatchRecordsEveryTransitionEvenWhenOneWasRecordedElsewhereFirst(db);
        }
    }

    @Test
    void aBatchRecordsEveryTransitionEvenWhenOneWasRecordedElsewhereFirstOnPostgres() throws Exception {
        try (Backends backends = Backends.create();
             Database db = Database.open(ServerConfig.load(backends.env(false)), new SimpleMeterRegistry(),
                     java.util.List.of())) {
            aBatchRecordsEveryTransitionEvenWhenOneWasRecordedElsewhereFirst(db);
        }
    }

    private static void aBatchRecordsEveryTransitionEvenWhenOneWasRecordedElsewhereFirst(Database db) {
        IncidentStore store = new IncidentStore(db, Clock.systemUTC());
        Instant now = Instant.now();
        // another replica opened the incident of rule r on task a first
        assertThat(store.record(firing("a", now), List.of(), null)).isPresent();

        List<Optional<IncidentStore.Recorded>> recorded = store.record(List.of(
                new IncidentStore.ToRecord(firing("b", now), List.of(), null),
                new IncidentStore.ToRecord(firing("a", now), List.of(), null), // the same firing: not again
                new IncidentStore.ToRecord(firing("c", now), List.of(), "silence-1"),
                new IncidentStore.ToRecord(new Transition(Transition.Kind.RESOLVED, "r", "b", now.plusSeconds(5),
                        List.of(), List.of(), Summary.text("good again")), List.of(), null)));

        assertThat(recorded).hasSize(4);
        assertThat(recorded.get(0)).hasValueSatisfying(r -> assertThat(r.incident().taskId()).isEqualTo("b"));
        assertThat(recorded.get(1)).isEmpty();
        assertThat(recorded.get(2)).hasValueSatisfying(r -> assertThat(r.event().silencedBy()).isEqualTo("silence-1"));
        assertThat(recorded.get(3)).hasValueSatisfying(r -> {
            assertThat(r.event().kind()).isEqualTo("resolved");
            assertThat(r.incident().resolvedAt()).isNotNull();
        });
        // only the refused insert was rolled back: a and c open, b resolved
        assertThat(store.open()).extracting(Incident::taskId).containsExactlyInAnyOrder("a", "c");
    }

    private static Transition firing(String task, Instant at) {
        return new Transition(Transition.Kind.FIRING, "r", task, at, List.of("agent-1"), List.of("result-1"),
                Summary.text("1 of 1 agents bad"));
    }
}
