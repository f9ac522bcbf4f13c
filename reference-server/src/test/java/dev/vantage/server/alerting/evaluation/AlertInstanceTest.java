package dev.vantage.server.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vantage.probe.spi.AssertionOutcome;
import dev.vantage.probe.spi.ErrorKind;
import dev.vantage.probe.spi.ProbeError;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import dev.vantage.server.alerting.rules.AlertRule;
import dev.vantage.server.alerting.rules.Condition;
import dev.vantage.server.alerting.rules.Metric;
import dev.vantage.server.alerting.rules.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Rules judged in simulated time against results built as plugins build them. */
class AlertInstanceTest {
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
    private static final Duration STALE = Duration.ofMinutes(10);

    private static AlertRule rule(Condition c, Scope scope, Duration pendingFor, Duration resolveAfter, Duration repeat) {
        return new AlertRule("r1", c, scope, pendingFor, resolveAfter, repeat);
    }

    private static ProbeResult result(boolean ok, Instant at) {
        ProbeResult.Builder b = ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("t1").type("tcp")
                .target("127.0.0.1:80").startedAt(at).duration(Duration.ofMillis(2))
                .status(ok ? ProbeStatus.SUCCESS : ProbeStatus.FAILURE);
        if (!ok) {
            b.error(ProbeError.of(ErrorKind.REFUSED, "refused"));
        }
        return b.build();
    }

    private static ProbeResult ping(int sent, int received, Instant at) {
        return ProbeResult.builder().id(UUID.randomUUID().toString()).taskId("t1").type("icmp").target("127.0.0.1")
                .startedAt(at).duration(Duration.ofMillis(5))
                .status(received > 0 ? ProbeStatus.SUCCESS : ProbeStatus.FAILURE)
                
                .measurement("sent", sent).measurement("received", received)
                .measurement("lossPercent", 100.0 * (sent - received) / sent).build();
    }

    /** Feeds results and collects every transition. */
    private static final class Run {
        final AlertInstance alert;
        final List<Transition> transitions = new ArrayList<>();

        Run(AlertRule rule) {
            alert = new AlertInstance(rule, "t1", STALE);
        }

        void add(String agent, ProbeResult r, Instant now) {
            alert.add(agent, r, now).ifPresent(transitions::add);
        }

        void tick(Instant now) {
            alert.tick(now).ifPresent(transitions::add);
        }

        List<Transition.Kind> kinds() {
            return transitions.stream().map(Transition::kind).toList();
        }
    }

    @Test
    void aTargetThatFlapsEveryResultForTenMinutesIsOneIncidentWithTwoNotifications() {
        Run run = new Run(rule(new Condition.ConsecutiveFailures(1), Scope.PerAgent.ANY_ONE, Duration.ZERO,
                Duration.ofMinutes(5), null));
        Instant t = T0;
        for (int i = 0; i < 60; i++) { // every 10 s for 10 minutes: fail, ok, fail, ok...
            run.add("a1", result(i % 2 == 1, t), t);
            t = t.plusSeconds(10);
        }
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING);
        for (int i = 0; i < 36; i++) { // then well for 6 minutes
            run.add("a1", result(true, t), t);
            t = t.plusSeconds(10);
        }
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING, Transition.Kind.RESOLVED);
        assertThat(run.transitions.get(1).at()).isEqualTo(T0.plusSeconds(590 + 300)); // 5 min after the last failure
    }

    @Test
    void oneBadVantagePointPagesNobodyTwoOfThreeDo() {
        Run run = new Run(rule(new Condition.ConsecutiveFailures(3), new Scope.PerAgent(2, 0), Duration.ZERO,
                Duration.ZERO, null));
        Instant t = T0;
        for (int i = 0; i < 5; i++) {
            run.add("a1", result(false, t), t);
            run.add("a2", result(true, t), t);
            run.add("a3", result(true, t), t);
            t = t.plusSeconds(10);
        }
        assertThat(run.transitions).isEmpty();
        for (int i = 0; i < 3; i++) {
            run.add("a1", result(false, t), t);
            run.add("a2", result(false, t), t);
            run.add("a3", result(true, t), t);
            t = t.plusSeconds(10);
        }
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING);
        assertThat(run.transitions.get(0).badAgents()).containsExactly("a1", "a2");
        assertThat(run.transitions.get(0).evidence()).hasSize(2);
        assertThat(run.transitions.get(0).summary().toString()).startsWith("2 of 3 agents bad");
    }

    @Test
    void aShareOfAgentsCountsOnlyAgentsStillReporting() {
        Run run = new Run(rule(new Condition.ConsecutiveFailures(1), new Scope.PerAgent(1, 50), Duration.ZERO,
                Duration.ZERO, null));
        run.add("a1", result(true, T0), T0);
        run.add("a2", result(true, T0), T0);
        run.add("a3", result(false, T0), T0);
        assertThat(run.transitions).isEmpty(); // 1 of 3 is below 50 %
        // a1 and a2 go silent; past the stale limit only a3 counts: 1 of 1
        Instant later = T0.plus(STALE).plusSeconds(1);
        run.add("a3", result(false, later), later);
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING);
    }

    @Test
    void aBadAgentThatFallsSilentStopsCountingOnTheClockAlone() {
        Run run = new Run(rule(new Condition.ConsecutiveFailures(1), Scope.PerAgent.ANY_ONE, Duration.ZERO,
                Duration.ZERO, null));
        run.add("a1", result(false, T0), T0);
        run.add("a2", result(true, T0.plusSeconds(540)), T0.plusSeconds(540));
        run.tick(T0.plusSeconds(599)); // a1 still counts: nothing changes
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING);
        run.tick(T0.plusSeconds(601)); // a1 silent for 10 minutes: only a2 counts, and it is good
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING, Transition.Kind.RESOLVED);
    }

    @Test
    void pendingMustLastItsWholeDurationAndEndsQuietlyWhenTheTargetRecovers() {
        Run run = new Run(rule(new Condition.ConsecutiveFailures(1), Scope.PerAgent.ANY_ONE, Duration.ofMinutes(1),
                Duration.ZERO, null));
        run.add("a1", result(false, T0), T0);
        run.add("a1", result(false, T0.plusSeconds(30)), T0.plusSeconds(30));
        assertThat(run.alert.state()).isEqualTo(AlertInstance.State.PENDING);
        run.add("a1", result(true, T0.plusSeconds(50)), T0.plusSeconds(50));
        assertThat(run.alert.state()).isEqualTo(AlertInstance.State.OK);
        assertThat(run.transitions).isEmpty();

        Instant t = T0.plusSeconds(100);
        run.add("a1", result(false, t), t);
        run.tick(t.plusSeconds(59));
        assertThat(run.transitions).isEmpty();
        run.tick(t.plusSeconds(60)); // no new result needed: the timer alone fires it
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING);
    }

    @Test
    void remindersComeAtTheirIntervalWhileFiring() {
        Run run = new Run(rule(new Condition.ConsecutiveFailures(1), Scope.PerAgent.ANY_ONE, Duration.ZERO,
                Duration.ZERO, Duration.ofMinutes(10)));
        for (int s = 0; s <= 25 * 60; s += 30) {
            Instant t = T0.plusSeconds(s);
            run.add("a1", result(false, t), t);
        }
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING, Transition.Kind.REMINDER,
                Transition.Kind.REMINDER);
        assertThat(run.transitions.get(2).at()).isEqualTo(T0.plusSeconds(20 * 60));
    }

    @Test
    void oneLostPacketOfThreeNeverFiresAFivePercentLossRule() {
        Run run = new Run(rule(new Condition.PacketLoss(5, Duration.ofMinutes(5), 0.99), Scope.PerAgent.ANY_ONE,
                Duration.ZERO, Duration.ZERO, null));
        run.add("a1", ping(3, 2, T0), T0);
        assertThat(run.transitions).isEmpty();
        assertThat(run.alert.state()).isEqualTo(AlertInstance.State.OK);
    }

    @Test
    void onePercentLossNeverFiresAFivePercentRuleOverTenThousandProbesTwentyPercentFiresWithinTheWindow() {
        AlertRule rule = rule(new Condition.PacketLoss(5, Duration.ofMinutes(5), 0.99), Scope.PerAgent.ANY_ONE,
                Duration.ZERO, Duration.ofMinutes(2), null);
        Random random = new Random(20261207); // seeded: the same packets every run
        Run low = new Run(rule);
        Instant t = T0;
        for (int i = 0; i < 10_000; i++) {
            low.add("a1", ping(3, received(3, 0.01, random), t), t);
            t = t.plusSeconds(1);
        }
        assertThat(low.transitions).as("1 %% loss against a 5 %% rule").isEmpty();

        Run high = new Run(rule);
        t = T0;
        Instant fired = null;
        for (int i = 0; i < 600 && fired == null; i++) {
            Optional<Transition> tr = high.alert.add("a1", ping(3, received(3, 0.20, random), t), t);
            if (tr.isPresent()) {
                fired = tr.get().at();
                assertThat(tr.get().summary().toString()).contains("loss").contains("99% interval");
            }
            t = t.plusSeconds(1);
        }
        assertThat(fired).as("20 %% loss fires within the 5 minute window").isNotNull()
                .isBefore(T0.plus(Duration.ofMinutes(5)));
    }

    private static int received(int sent, double loss, Random random) {
        int received = 0;
        for (int i = 0; i < sent; i++) {
            received += random.nextDouble() < loss ? 0 : 1;
        }
        return received;
    }

    @Test
    void theWorkedExampleOfTheDocs() {
        // docs/alerting.md: 1 lost of 3 at 99 % is 4.04 % to 85.6 % around 33 %: neither above nor below 5 %
        Wilson one = Wilson.of(1, 3, 0.99);
        assertThat(one.lower()).isCloseTo(0.0404, within(0.0005));
        assertThat(one.upper()).isCloseTo(0.8558, within(0.0005));
        // 18 lost of 90 (20 %): the whole interval is above 5 %
        assertThat(Wilson.of(18, 90, 0.99).lower()).isCloseTo(0.1138, within(0.0005));
        // nothing lost of 180: the whole interval is below 5 %, so a firing rule resolves
        assertThat(Wilson.of(0, 180, 0.99).upper()).isCloseTo(0.0356, within(0.0005));
    }

    @Test
    void latencyJudgesAPercentileOfTheWindowFromSuccessfulResults() {
        Run run = new Run(rule(new Condition.Latency(new Metric("phase.connect"), 95, 100, Duration.ofMinutes(1)),
                new Scope.Merged(), Duration.ZERO, Duration.ZERO, null));
        for (int i = 0; i < 20; i++) {
            Instant t = T0.plusSeconds(i);
            long ms = i < 18 ? 10 : 500; // 2 slow of 20: p95 is slow
            run.add("a" + (i % 3), ProbeResult.builder().id("r" + i).taskId("t1").type("tcp").target("x")
                    .startedAt(t).duration(Duration.ofMillis(ms)).status(ProbeStatus.SUCCESS)
                    .phase("connect", Duration.ofMillis(ms)).build(), t);
        }
        assertThat(run.kinds()).containsExactly(Transition.Kind.FIRING);
        assertThat(run.transitions.get(0).summary().toString()).contains("p95 phase.connect 500 ms of 19 results");
        run.tick(T0.plusSeconds(80)); // the window slid past every value: cannot tell, so it stays firing
        assertThat(run.alert.state()).isEqualTo(AlertInstance.State.FIRING);
    }

    @Test
    void availabilityCertificateAndAssertions() {
        Run availability = new Run(rule(new Condition.Availability(90, Duration.ofMinutes(1)), Scope.PerAgent.ANY_ONE,
                Duration.ZERO, Duration.ZERO, null));
        for (int i = 0; i < 10; i++) {
            availability.add("a1", result(i != 9, T0.plusSeconds(i)), T0.plusSeconds(i)); // 9 of 10: not below 90 %
        }
        assertThat(availability.transitions).isEmpty();
        availability.add("a1", result(false, T0.plusSeconds(10)), T0.plusSeconds(10)); // 9 of 11
        assertThat(availability.kinds()).containsExactly(Transition.Kind.FIRING);

        Run cert = new Run(rule(new Condition.CertificateExpiry(14), Scope.PerAgent.ANY_ONE, Duration.ZERO,
                Duration.ZERO, null));
        cert.add("a1", ProbeResult.builder().id("c1").taskId("t1").type("http").target("x").startedAt(T0)
                .duration(Duration.ofMillis(1)).status(ProbeStatus.SUCCESS).measurement("certDaysRemaining", 3.5).build(), T0);
        assertThat(cert.transitions).singleElement().satisfies(tr ->
                assertThat(tr.summary().toString()).contains("certificate expires in 3.5 days (rule: under 14)"));

        Run assertion = new Run(rule(new Condition.AssertionFailure(), Scope.PerAgent.ANY_ONE, Duration.ZERO,
                Duration.ZERO, null));
        assertion.add("a1", ProbeResult.builder().id("s1").taskId("t1").type("http").target("x").startedAt(T0)
                .duration(Duration.ofMillis(1)).status(ProbeStatus.FAILURE)
                .error(ProbeError.of(ErrorKind.ASSERTION, "assertion failed"))
                .assertion(AssertionOutcome.of("measurement.httpStatus lt 400", false, "503")).build(), T0);
        assertThat(assertion.transitions).singleElement().satisfies(tr ->
                assertThat(tr.summary().toString()).endsWith("a1: assertion failed: measurement.httpStatus lt 400 (actual 503)"));
    }
}
