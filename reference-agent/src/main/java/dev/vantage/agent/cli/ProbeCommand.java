package dev.vantage.agent.cli;

import dev.vantage.agent.protocol.Policy;
import dev.vantage.agent.protocol.ProtocolCodec;
import dev.vantage.probe.engine.AddressPolicy;
import dev.vantage.probe.engine.Assertion;
import dev.vantage.probe.engine.Durations;
import dev.vantage.probe.engine.ProbeEngine;
import dev.vantage.probe.engine.TaskSpec;
import dev.vantage.probe.json.ResultJson;
import dev.vantage.probe.spi.ConfigProblem;
import dev.vantage.probe.spi.ParameterSpec;
import dev.vantage.probe.spi.ParameterType;
import dev.vantage.probe.spi.ProbeDescriptor;
import dev.vantage.probe.spi.ProbeResult;
import dev.vantage.probe.spi.ProbeStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vantage-agent probe <type> <target>}: runs a probe with any installed plugin and prints a readable summary
 * or JSON lines. Exit 0 when every attempt succeeded, 1 when one failed or timed out, 2 on bad input or when a probe
 * could not be made (status ERROR: configuration, permission, address policy). With no policy options it may contact
 * any address, as its owner asks; {@code --allow}, {@code --deny} and {@code --policy} keep it (and every redirect)
 * away from, e.g., a cloud's metadata service when it runs inside that cloud.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Run a probe of any installed type against one target.",
        footer = {"", "Examples:",
                "  vantage-agent probe icmp 127.0.0.1 --param count=5",
                "  vantage-agent probe tcp 127.0.0.1:22 --json",
                "  vantage-agent probe http https://127.0.0.1:8443/ --param verifyTls=false --assert 'measurement.httpStatus lt 400'",
                "  vantage-agent probe traceroute 127.0.0.1 --param mode=udp",
                "  vantage-agent probe http http://example.com/ --deny 169.254.0.0/16,fd00:ec2::254/128 --deny 10.0.0.0/8",
                "  vantage-agent probe tcp 192.0.2.10:443 --policy policy.json   # {\"allow\":[\"192.0.2.0/24\"]}",
                "", "Exit status: 0 success, 1 failure or timeout, 2 bad input or probe error."})
public final class ProbeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "Probe type, e.g. icmp, tcp, udp, http, dns, traceroute (see 'vantage-agent plugins').")
    String type;

    @Parameters(index = "1", description = "Target in the type's form: host, host:port or URL.")
    String target;

    @Option(names = "--count", defaultValue = "1", description = "Attempts to run, one after another (default 1).")
    int count;

    @Option(names = "--interval", defaultValue = "1s", description = "Pause between attempts (default 1s).")
    String interval;

    @Option(names = "--timeout", defaultValue = "5s", description = "Deadline of each attempt (default 5s).")
    String timeout;

    @Option(names = {"-p", "--param"}, description = "Plugin parameter key=value; repeat for lists; key.sub=value for maps.")
    List<String> params = new ArrayList<>();

    @Option(names = "--assert", description = "Assertion 'field op value', e.g. 'phase.connect lt 50'.")
    List<String> assertions = new ArrayList<>();

    @Option(names = "--json", description = "Print one JSON result per line instead of a summary.")
    boolean json;

    @Option(names = "--allow", split = ",", paramLabel = "CIDR",
            description = "Only these ranges may be contacted (every resolved address and redirect hop); repeatable.")
    List<String> allow = new ArrayList<>();

    @Option(names = "--deny", split = ",", paramLabel = "CIDR",
            description = "These ranges may not be contacted; denials win over --allow; repeatable.")
    List<String> deny = new ArrayList<>();

    @Option(names = "--policy", paramLabel = "FILE",
            description = "An address policy file {\"allow\": [CIDR...], \"deny\": [CIDR...], \"denyPorts\": "
                    + "[{\"range\": CIDR, \"from\": 1, \"to\": 1024}]}, combined with --allow and --deny.")
    Path policyFile;

    @Mixin
    PluginsDirOption plugins;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (count < 1 || count > 1_000_000) {
            err.println("--count: must be between 1 and 1000000");
            return 2;
        }
        AddressPolicy policy;
        ProbeEngine built;
        try {
            policy = policy();
            built = PluginsDirOption.engine(plugins.load(), policy);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        try (ProbeEngine engine = built) {
            TaskSpec task;
            Duration pause;
            try {
                pause = Durations.parse(interval);
                task = task(engine.descriptors().get(type));
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 2;
            }
            List<ConfigProblem> problems = engine.validate(task);
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println(p.field() + ": " + p.reason()));
                return 2;
            }
            int exit = 0;
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    Thread.sleep(pause.toMillis());
                }
                ProbeResult r = engine.runOnce(task).toCompletableFuture().join();
                out.println(json ? ResultJson.toJson(r) : ResultText.format(r));
                out.flush();
                exit = Math.max(exit, exitCode(r.status()));
            }
            return exit;
        }
    }

    /** The policy of {@code --policy}, {@code --allow} and {@code --deny}; allow-all when none is given. */
    private AddressPolicy policy() {
        Policy file = new Policy(List.of(), List.of(), List.of());
        if (policyFile != null) {
            try {
                file = ProtocolCodec.decodePolicy(Files.readString(policyFile));
            } catch (IOException e) {
                throw new IllegalArgumentException("--policy: cannot read " + policyFile + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--policy " + policyFile + ": " + e.getMessage());
            }
        }
        List<String> allowed = new ArrayList<>(file.allow());
        allowed.addAll(cidrs("--allow", allow));
        List<String> denied = new ArrayList<>(file.deny());
        denied.addAll(cidrs("--deny", deny));
        try {
            return new Policy(allowed, denied, file.denyPorts()).toAddressPolicy();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--policy " + policyFile + ": " + e.getMessage());
        }
    }

    /** The ranges of one option, each checked here so that the error names the option. */
    private static List<String> cidrs(String option, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            String cidr = v.trim();
            try {
                AddressPolicy.builder().allow(cidr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + " '" + cidr + "': " + e.getMessage());
            }
            out.add(cidr);
        }
        return out;
    }

    private static int exitCode(ProbeStatus status) {
        return switch (status) {
            case SUCCESS -> 0;
            case FAILURE, TIMEOUT -> 1;
            case ERROR -> 2;
        };
    }

    /** Builds the task, typing {@code --param} values by the plugin's parameter descriptions. */
    private TaskSpec task(ProbeDescriptor descriptor) {
        TaskSpec.Builder b = TaskSpec.builder(type, target).id("cli").timeout(Durations.parse(timeout));
        Map<String, Object> values = new LinkedHashMap<>();
        for (String p : params) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--param '" + p + "': expected key=value");
            }
            String key = p.substring(0, eq);
            String value = p.substring(eq + 1);
            int dot = key.indexOf('.');
            ParameterType kind = descriptor == null ? null : descriptor.parameter(dot > 0 ? key.substring(0, dot) : key)
                    .map(ParameterSpec::type).orElse(null);
            if (kind == ParameterType.STRING_MAP && dot > 0) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) values.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>());
                map.put(key.substring(dot + 1), value);
            } else if (kind == ParameterType.STRING_LIST) {
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) values.computeIfAbsent(key, k -> new ArrayList<>());
                list.add(value);
            } else {
                values.put(key, value); // the engine converts text to the parameter's type and checks it
            }
        }
        b.params(values);
        for (String a : assertions) {
            b.assertion(parseAssertion(a));
        }
        return b.build();
    }

    static Assertion parseAssertion(String text) {
        String[] parts = text.trim().split("\\s+", 3);
        if (parts.length < 3) {
            throw new IllegalArgumentException("--assert '" + text + "': expected 'field op value'");
        }
        Assertion.Op op = Assertion.Op.fromJson(parts[1]);
        if (op == null) {
            throw new IllegalArgumentException("--assert '" + text + "': unknown op '" + parts[1]
                    + "' (lt le eq ne ge gt equals not_equals contains not_contains matches not_matches includes "
                    + "not_includes set_equals within_cidr)");
        }
        return Assertion.of(parts[0], op, parts[2]);
    }

}
