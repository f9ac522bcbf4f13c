package dev.vantage.server.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.server.errors.FieldError;
import dev.vantage.server.errors.InvalidFieldException;
import dev.vantage.server.errors.InvalidInputException;
import dev.vantage.server.errors.InvalidValueException;
import dev.vantage.server.json.JsonMapping;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleJsonTest {

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JsonMapping.MAPPER.readTree(text.replace('\'', '"'));
    }

    private static List<String> fields(String text) {
        try {
            RuleJson.parse(json(text));
        } catch (InvalidInputException e) {
            return e.errors().stream().map(FieldError::field).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + text);
    }

    @Test
    void aFullRuleReadsAndWritesBackTheSame() throws Exception {
        String text = "{'name':'web slow','tasks':{'labels':{'env':'prod'}},"
                + "'condition':{'type':'latency','metric':'phase.connect','percentile':95.0,'maxMs':200.0,'window':'5m'},"
                + "'scope':{'minAgents':2,'minPercent':50.0},'for':'1m','resolveAfter':'10m','repeatEvery':'1h',"
                + "'channels':['c1'],'enabled':true}";
        RuleJson.Definition d = RuleJson.parse(json(text));
        assertThat(d.condition()).isEqualTo(new Condition.Latency(new Metric("phase.connect"), 95, 200, Duration.ofMinutes(5)));
        assertThat(d.scope()).isEqualTo(new Scope.PerAgent(2, 50));
        assertThat(d.pendingFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat((Object) JsonMapping.MAPPER.valueToTree(RuleJson.toJson(d))).isEqualTo(json(text));
    }

    @Test
    void defaultsAreOneAgentNoWaitFiveMinutesToResolveNoReminders() throws Exception {
        RuleJson.Definition d = RuleJson.parse(json(
                "{'name':'down','tasks':{'task':'web'},'condition':{'type':'consecutiveFailures','count':3}}"));
        assertThat(d.scope()).isEqualTo(Scope.PerAgent.ANY_ONE);
        assertThat(d.pendingFor()).isZero();
        assertThat(d.resolveAfter()).isEqualTo(RuleJson.DEFAULT_RESOLVE_AFTER);
        assertThat(d.repeatEvery()).isNull();
        assertThat(d.enabled()).isTrue();
        assertThat(d.tasks()).isEqualTo(new TaskMatch.Task("web"));
    }

    @Test
    void everyBadFieldIsNamed() {
        assertThat(fields("{'name':'x','tasks':{'task':'t'},'condition':{'type':'cpu'}}"))
                .containsExactly("condition.type");
        assertThat(fields("{'name':'x','tasks':{'task':'t'},'condition':{'type':'availability','minPercent':120,'window':'-5m'}}"))
                .containsExactly("condition.window"); // the window is read first; the percent is checked once it is right
        assertThat(fields("{'name':'x','tasks':{'task':'t'},'condition':{'type':'availability','minPercent':120,'window':'5m'}}"))
                .containsExactly("condition.minPercent");
        assertThat(fields("{'name':'x','tasks':{'task':'t'},'condition':{'type':'latency','metric':'cpu','percentile':95,'maxMs':1,'window':'1m'}}"))
                .containsExactly("condition.metric");
        assertThat(fields("{'name':'x','tasks':{'task':'t'},'condition':{'type':'packetLoss','window':'1m','extra':1}}"))
                .containsExactlyInAnyOrder("condition.extra", "condition.maxPercent");
        assertThat(fields("{'tasks':{},'condition':{'type':'assertionFailure'},'scope':{'minAgents':0},'for':'soon'}"))
                .containsExactlyInAnyOrder("name", "tasks", "scope.minAgents", "for");
        assertThat(fields("{'name':'x','tasks':{'labels':{'Bad Name':'x'}},'condition':{'type':'assertionFailure'}}"))
                .containsExactly("tasks.labels.Bad Name");
    }

    @Test
    void theModelRefusesWhatTheJsonWouldRefuse() {
        assertThatThrownBy(() -> new Condition.PacketLoss(5, Duration.ZERO, 0.99)).hasMessage("window must be positive");
        assertThatThrownBy(() -> new Scope.PerAgent(0, 0)).hasMessage("minAgents must be from 1 to 100000");
        // the refusal names its field and says why in every language, for the reader to report as it is
        FieldError e = catchThrowableOfType(InvalidFieldException.class, () -> new Condition.PacketLoss(5, Duration.ofMinutes(1), 1))
                .error();
        assertThat(e.field()).isEqualTo("confidence");
        assertThat(e.text().in(java.util.Locale.SIMPLIFIED_CHINESE)).isEqualTo("必须在 0.5（含）到 1（不含）之间");
        assertThatThrownBy(() -> new Metric("cpu")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new AlertRule("r", new Condition.AssertionFailure(), Scope.PerAgent.ANY_ONE,
                Duration.ofSeconds(-1), Duration.ZERO, null)).hasMessage("for must be zero or more");
    }
}
