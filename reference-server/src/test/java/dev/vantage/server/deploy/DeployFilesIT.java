package dev.vantage.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.agent.cli.AgentEnvironment;
import dev.vantage.server.config.ServerConfig;
import dev.vantage.server.config.Setting;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files name only what exists. No container engine or cluster runs here, so they are rendered and
 * checked instead: every Kubernetes object of {@code deploy/kubernetes} parses with the Kubernetes model and has no
 * field the model does not know, and its selectors, ports, probes, secrets and volumes fit together; the compose file,
 * the Dockerfile and the Prometheus and nginx files name only environment variables the server ({@link Setting}) or
 * the agent ({@link AgentEnvironment}) read, agent options {@code vantage-agent launch} has, files that exist, and the
 * ports the programs listen on. An IT: the Dockerfile copies the jars the package phase builds.
 */
class DeployFilesIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final KubernetesSerialization K8S = new KubernetesSerialization();
    private static final int AGENT_METRICS_PORT = 9465;

    /** What the server reads from its environment: one variable per setting, and two read before the settings. */
    private static Set<String> serverEnv() {
        Set<String> env = Stream.of(Setting.values()).map(Setting::env).collect(Collectors.toCollection(HashSet::new));
        env.add("VANTAGE_CONFIG"); // ServerConfig.load: the YAML file to read
        env.add("VANTAGE_LOG_FORMAT"); // Main, before logging starts
        return env;
    }

    private static Set<String> agentEnv() {
        return Stream.of(AgentEnvironment.values()).map(Enum::name).collect(Collectors.toSet());
    }

    private static Set<String> agentRunOptions() {
        return new picocli.CommandLine(new dev.vantage.agent.Main()).getSubcommands().get("run").getCommandSpec()
                .optionsMap().keySet();
    }

    private static int serverDefaultPort() {
        return ServerConfig.load(Map.of()).port();
    }

    // ---------------------------------------------------------------------------------------------- Kubernetes

    @Test
    void everyKubernetesObjectParsesWithNoUnknownField() throws Exception {
        List<HasMetadata> objects = kubernetesObjects();
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("Namespace", "Secret", "Secret",
                "Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "PersistentVolumeClaim", "Deployment",
                "Service", "ServiceMonitor", "ServiceMonitor");
        for (HasMetadata o : objects) {
            assertThat(o).as(o.getKind() + " " + o.getMetadata().getName()).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(unknownFields(o)).as(o.getKind() + " " + o.getMetadata().getName()).isEmpty();
        }
    }

    @Test
    void theUnknownFieldCheckFindsAMisspeltField() {
        HasMetadata d = K8S.unmarshal("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replica: 3
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers: [{name: c, imagee: x}]
                """);
        assertThat(unknownFields(d)).containsExactlyInAnyOrder("Deployment.spec: unknown [replica]",
                "Deployment.spec.template.spec.containers[0]: unknown [imagee]");
    }

    @Test
    void theServerRunsThreeReplicasWithProbesADisruptionBudgetAndAService() throws Exception {
        List<HasMetadata> objects = kubernetesObjects();
        Deployment server = named(objects, Deployment.class, "vantage-server");
        assertThat(server.getSpec().getReplicas()).isEqualTo(3);
        PodTemplateSpec pod = server.getSpec().getTemplate();
        assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(server.getSpec().getSelector().getMatchLabels());
        Container c = pod.getSpec().getContainers().getFirst();
        assertThat(c.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(serverDefaultPort()));
        for (Probe probe : List.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())) {
            HTTPGetAction get = probe.getHttpGet();
            assertThat(get.getPath()).isIn("/ready", "/health"); // HealthApi's routes, public
            assertThat(get.getPort().getStrVal()).isEqualTo(c.getPorts().getFirst().getName());
        }
        PodDisruptionBudget pdb = named(objects, PodDisruptionBudget.class, "vantage-server");
        assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isBetween(1, server.getSpec().getReplicas() - 1);
        Service service = named(objects, Service.class, "vantage-server");
        assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getTargetPort().getStrVal()).containsExactly("http");
    }

    @Test
    void podsRunAsNonRootOnAReadOnlyRootWithTheirEnvironmentSecretsAndVolumesInPlace() throws Exception {
        List<HasMetadata> objects = kubernetesObjects();
        Map<String, Set<String>> secretKeys = new LinkedHashMap<>();
        objects.stream().filter(Secret.class::isInstance).map(Secret.class::cast)
                .forEach(s -> secretKeys.put(s.getMetadata().getName(), s.getStringData().keySet()));
        Set<String> claims = objects.stream().filter(PersistentVolumeClaim.class::isInstance)
                .map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
        Map<String, Set<String>> envByImage = Map.of("vantage-server", serverEnv(), "vantage-agent", agentEnv());
        for (Deployment d : objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList()) {
            var spec = d.getSpec().getTemplate().getSpec();
            assertThat(spec.getSecurityContext().getRunAsNonRoot()).as(d.getMetadata().getName()).isTrue();
            Set<String> volumes = spec.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
            spec.getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                    .forEach(v -> assertThat(claims).contains(v.getPersistentVolumeClaim().getClaimName()));
            for (Container c : spec.getContainers()) {
                assertThat(envByImage).containsKey(c.getImage());
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                for (EnvVar e : c.getEnv()) {
                    assertThat(envByImage.get(c.getImage())).as(c.getImage() + " reads " + e.getName()).contains(e.getName());
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        assertThat(secretKeys.getOrDefault(ref.getName(), Set.of())).as(ref.toString()).contains(ref.getKey());
                    }
                }
                c.getVolumeMounts().forEach(m -> assertThat(volumes).contains(m.getName()));
                // /var/lib/vantage (data) and /tmp are the only places the programs write
                assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/var/lib/vantage", "/tmp");
                if (c.getImage().equals("vantage-agent")) {
                    assertAgentArguments(c.getArgs());
                    assertReleaseKeyMounted(objects, spec.getVolumes(), c);
                    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(c.getPorts().getFirst().getName());
                    assertThat(c.getPorts().getFirst().getContainerPort()).isEqualTo(AGENT_METRICS_PORT);
                }
            }
        }
    }

    @Test
    void serviceMonitorsSelectServicesAndTheirPorts() throws Exception {
        List<HasMetadata> objects = kubernetesObjects();
        List<Service> services = objects.stream().filter(Service.class::isInstance).map(Service.class::cast).toList();
        for (ServiceMonitor m : objects.stream().filter(ServiceMonitor.class::isInstance).map(ServiceMonitor.class::cast).toList()) {
            Service target = services.stream()
                    .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(m.getSpec().getSelector().getMatchLabels().entrySet()))
                    .findFirst().orElseThrow(() -> new AssertionError(m.getMetadata().getName() + " selects no service"));
            Set<String> ports = target.getSpec().getPorts().stream().map(ServicePort::getName).collect(Collectors.toSet());
            m.getSpec().getEndpoints().forEach(e -> {
                assertThat(ports).contains(e.getPort());
                assertThat(e.getPath()).isEqualTo("/metrics");
            });
            assertThat(target.getMetadata().getLabels()).containsKey(m.getSpec().getJobLabel());
        }
    }

    @Test
    void theKustomizationListsEveryFileAndNamesTheImagesTheContainersUse() throws Exception {
        Map<String, Object> k = yaml(DEPLOY.resolve("kubernetes/kustomization.yaml"));
        try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(list(k.get("resources")).stream().map(String.class::cast).toList());
        }
        Set<String> images = new HashSet<>();
        kubernetesObjects().stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .forEach(d -> d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> images.add(c.getImage())));
        assertThat(list(k.get("images")).stream().map(i -> (String) ((Map<?, ?>) i).get("name")))
                .containsExactlyInAnyOrderElementsOf(images);
    }

    // ---------------------------------------------------------------------------------------------- Dockerfile

    @Test
    void theDockerfileCopiesFilesThatExistAndSetsOnlyVariablesAndPortsTheProgramsUse() throws Exception {
        Dockerfile df = Dockerfile.parse(DEPLOY.resolve("docker/Dockerfile"));
        assertThat(df.stages().keySet()).contains("jre", "base", "server", "agent");
        df.copies().forEach(src -> assertThat(ROOT.resolve(src)).as("COPY " + src).isRegularFile());
        Map<String, Set<String>> envOf = Map.of("base", intersection(serverEnv(), agentEnv()), "server", serverEnv(),
                "agent", agentEnv(), "jre", Set.of());
        df.stages().forEach((stage, s) -> s.env().keySet().stream().filter(n -> !n.equals("PATH"))
                .forEach(n -> assertThat(envOf.get(stage)).as("stage " + stage + " sets " + n).contains(n)));
        assertThat(df.stages().get("base").user()).isEqualTo("10001:10001");

        Dockerfile.Stage server = df.stages().get("server");
        assertThat(server.exposed()).containsExactly(serverDefaultPort());
        assertThat(server.env()).containsEntry("SERVER_PORT", Integer.toString(serverDefaultPort()));
        assertThat(server.healthcheck()).contains("/dev/tcp/127.0.0.1/" + serverDefaultPort()).contains("GET /ready ");
        assertThat(server.entrypoint()).contains("-jar").contains(server.copiedTo().getFirst());

        Dockerfile.Stage agent = df.stages().get("agent");
        assertThat(agent.exposed()).containsExactly(AGENT_METRICS_PORT);
        assertThat(agent.healthcheck()).contains("/dev/tcp/127.0.0.1/" + AGENT_METRICS_PORT).contains("GET /metrics ");
        // under the launcher, so that the releases the server rolls out are installed (and rolled back)
        assertThat(agent.entrypoint()).contains("-jar").contains(agent.copiedTo().getFirst()).endsWith("launch");
        assertAgentArguments(agent.cmd());
        // the launcher's JVM options and the agent's (docs/benchmarks.md, agent idle memory): a flag this JDK does not
        // take would stop the container at once
        assertJvmTakes(server.entrypoint().subList(1, server.entrypoint().indexOf("-jar")));
        assertJvmTakes(agent.entrypoint().subList(1, agent.entrypoint().indexOf("-jar")));
        assertThat(agent.env()).containsKey(AgentEnvironment.VANTAGE_AGENT_JVM_OPTIONS.name());
        assertJvmTakes(List.of(agent.env().get(AgentEnvironment.VANTAGE_AGENT_JVM_OPTIONS.name()).split("\\s+")));
    }

    private static void assertJvmTakes(List<String> options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("-version");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    // ---------------------------------------------------------------------------------------------- compose

    @Test
    @SuppressWarnings("unchecked")
    void theComposeFileNamesOnlySettingsFilesServicesAndPortsThatExist() throws Exception {
        Map<String, Object> compose = yaml(DEPLOY.resolve("docker-compose.yml"));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsKeys("postgres", "rabbitmq", "redis", "nginx", "prometheus", "grafana");
        Set<String> stages = Dockerfile.parse(DEPLOY.resolve("docker/Dockerfile")).stages().keySet();
        Map<String, Set<String>> envOf = Map.of("server", serverEnv(), "agent", agentEnv());
        List<String> servers = new ArrayList<>();
        List<String> agents = new ArrayList<>();
        services.forEach((name, s) -> {
            list(s.get("depends_on") instanceof Map<?, ?> m ? List.copyOf(m.keySet()) : s.get("depends_on"))
                    .forEach(d -> assertThat(services).as(name + " depends on " + d).containsKey((String) d));
            for (Object v : list(s.get("volumes"))) {
                String source = ((String) v).split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(DEPLOY.resolve(source).normalize()).as(name + " mounts " + source).exists();
                }
            }
            if (s.get("build") instanceof Map<?, ?> build) {
                assertThat(DEPLOY.resolve((String) build.get("context")).resolve((String) build.get("dockerfile")))
                        .isRegularFile();
                String target = (String) build.get("target");
                assertThat(stages).contains(target);
                ((Map<String, Object>) s.get("environment")).keySet()
                        .forEach(e -> assertThat(envOf.get(target)).as(name + " sets " + e).contains(e));
                (target.equals("server") ? servers : agents).add(name);
                if (target.equals("agent")) {
                    assertAgentArguments(list(s.get("command")).stream().map(String.class::cast).toList());
                    assertThat(((Map<String, Object>) s.get("environment"))).containsKey("VANTAGE_RELEASE_KEY");
                    assertThat(list(s.get("volumes"))).as(name).contains("./release-key:/etc/vantage/release-key:ro");
                }
            }
        });
        assertThat(servers).hasSize(2);
        assertThat(agents).hasSizeGreaterThanOrEqualTo(2);

        // Prometheus scrapes those services on the ports they listen on
        Map<String, Object> prometheus = yaml(DEPLOY.resolve("prometheus.yml"));
        Set<String> scraped = new HashSet<>();
        for (Object job : list(prometheus.get("scrape_configs"))) {
            for (Object sc : list(((Map<?, ?>) job).get("static_configs"))) {
                list(((Map<?, ?>) sc).get("targets")).forEach(t -> scraped.add((String) t));
            }
        }
        Set<String> expected = new HashSet<>();
        servers.forEach(s -> expected.add(s + ":" + serverDefaultPort()));
        agents.forEach(a -> expected.add(a + ":" + AGENT_METRICS_PORT));
        assertThat(scraped).isEqualTo(expected);

        // nginx's upstream is the two replicas
        Matcher m = Pattern.compile("server\\s+([a-z0-9-]+):(\\d+)").matcher(Files.readString(DEPLOY.resolve("nginx.conf")));
        Set<String> upstream = new HashSet<>();
        while (m.find()) {
            upstream.add(m.group(1) + ":" + m.group(2));
        }
        assertThat(upstream).containsExactlyInAnyOrderElementsOf(servers.stream().map(s -> s + ":" + serverDefaultPort()).toList());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * Every option is one {@code vantage-agent launch} has (its own, or one of {@code run}'s, which it passes on), and
     * the metrics listener is on the port the files use.
     */
    private static void assertAgentArguments(List<String> args) {
        Set<String> options = new HashSet<>(agentRunOptions());
        options.addAll(new picocli.CommandLine(new dev.vantage.agent.Main()).getSubcommands().get("launch").getCommandSpec()
                .optionsMap().keySet());
        args.stream().filter(a -> a.startsWith("--")).forEach(a -> assertThat(options).as("vantage-agent launch " + a).contains(a));
        int i = args.indexOf("--metrics-listen");
        assertThat(i).as("the agent serves its metrics").isGreaterThanOrEqualTo(0);
        assertThat(dev.vantage.agent.metrics.MetricsServer.parseListen(args.get(i + 1)).getPort()).isEqualTo(AGENT_METRICS_PORT);
    }

    /**
     * The agent's {@code VANTAGE_RELEASE_KEY} names a file of a ConfigMap mounted read-only, and that file is an
     * Ed25519 public key the agent reads (a placeholder until replaced: updates are refused, the agent runs).
     */
    private static void assertReleaseKeyMounted(List<HasMetadata> objects, List<Volume> volumes, Container c) {
        String path = c.getEnv().stream().filter(e -> e.getName().equals("VANTAGE_RELEASE_KEY")).findFirst()
                .orElseThrow(() -> new AssertionError("the agent has no VANTAGE_RELEASE_KEY")).getValue();
        var mount = c.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError(path + " is on no mounted volume"));
        assertThat(mount.getReadOnly()).isTrue();
        Volume v = volumes.stream().filter(x -> x.getName().equals(mount.getName())).findFirst().orElseThrow();
        io.fabric8.kubernetes.api.model.ConfigMap map = named(objects, io.fabric8.kubernetes.api.model.ConfigMap.class,
                v.getConfigMap().getName());
        String pem = map.getData().get(path.substring(mount.getMountPath().length() + 1));
        assertThat(pem).as(path + " in ConfigMap " + map.getMetadata().getName()).isNotNull();
        try {
            Path file = Files.createTempFile("release", ".pub");
            try {
                Files.writeString(file, pem);
                assertThat(dev.vantage.agent.update.ReleaseKeys.readPublic(file).getAlgorithm()).isIn("Ed25519", "EdDSA");
            } finally {
                Files.delete(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<HasMetadata> kubernetesObjects() throws Exception {
        Map<String, Object> k = yaml(DEPLOY.resolve("kubernetes/kustomization.yaml"));
        List<HasMetadata> out = new ArrayList<>();
        for (Object file : list(k.get("resources"))) {
            String text = Files.readString(DEPLOY.resolve("kubernetes").resolve((String) file));
            for (String doc : text.split("(?m)^---\\s*$")) {
                if (!doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                    out.add(K8S.unmarshal(doc));
                }
            }
        }
        return out;
    }

    private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast).filter(o -> o.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    /** Fields the model did not know: fabric8 keeps them in each object's additionalProperties instead of failing. */
    static List<String> unknownFields(HasMetadata o) {
        List<String> out = new ArrayList<>();
        walk(o, o.getKind(), out);
        return out;
    }

    private static void walk(Object o, String path, List<String> out) {
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, out));
            return;
        }
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.") || o.getClass().isEnum()) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class
                    || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(path + "." + m.getName(), e);
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": unknown " + extra.keySet());
                }
            } else {
                String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                walk(value, path + "." + field, out);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws Exception {
        return (Map<String, Object>) new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.retainAll(b);
        return out;
    }

    /** The little of a Dockerfile these checks read: stages, COPY, ENV, EXPOSE, USER, HEALTHCHECK, ENTRYPOINT, CMD. */
    record Dockerfile(Map<String, Stage> stages, List<String> copies) {
        record Stage(Map<String, String> env, List<Integer> exposed, List<String> copiedTo, List<String> entrypoint,
                List<String> cmd, String healthcheck, String user) {
        }

        private static final ObjectMapper JSON = new ObjectMapper();

        static Dockerfile parse(Path file) throws Exception {
            // one instruction per logical line (backslash continues it); comments dropped
            String text = Files.readString(file).replaceAll("(?m)^\\s*#.*\\n", "").replaceAll("\\\\\\n", " ");
            Map<String, Stage> stages = new LinkedHashMap<>();
            List<String> copies = new ArrayList<>();
            String current = null;
            for (String line : text.split("\n")) {
                String[] parts = line.strip().split("\\s+", 2);
                if (parts[0].isEmpty()) {
                    continue;
                }
                String arg = parts.length > 1 ? parts[1].strip() : "";
                switch (parts[0]) {
                    case "FROM" -> {
                        String[] from = arg.split("\\s+");
                        current = from[from.length - 1];
                        Stage parent = stages.get(from[0]);
                        stages.put(current, new Stage(new LinkedHashMap<>(parent == null ? Map.of() : parent.env()),
                                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(parent == null ? List.of() : parent.entrypoint()),
                                new ArrayList<>(), parent == null ? null : parent.healthcheck(), parent == null ? null : parent.user()));
                    }
                    case "COPY" -> {
                        List<String> words = List.of(arg.split("\\s+"));
                        if (!words.getFirst().startsWith("--from")) {
                            copies.addAll(words.subList(0, words.size() - 1));
                            stages.get(current).copiedTo().add(words.getLast());
                        }
                    }
                    case "ENV" -> {
                        Matcher m = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher(arg);
                        while (m.find()) {
                            stages.get(current).env().put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                        }
                    }
                    case "EXPOSE" -> Stream.of(arg.split("\\s+")).map(Integer::parseInt).forEach(stages.get(current).exposed()::add);
                    case "ENTRYPOINT" -> {
                        stages.get(current).entrypoint().clear();
                        stages.get(current).entrypoint().addAll(List.of(JSON.readValue(arg, String[].class)));
                    }
                    case "CMD" -> stages.get(current).cmd().addAll(List.of(JSON.readValue(arg, String[].class)));
                    case "HEALTHCHECK", "USER" -> {
                        Stage s = stages.get(current);
                        stages.put(current, new Stage(s.env(), s.exposed(), s.copiedTo(), s.entrypoint(), s.cmd(),
                                parts[0].equals("HEALTHCHECK") ? arg : s.healthcheck(), parts[0].equals("USER") ? arg : s.user()));
                    }
                    default -> {
                        // ARG, RUN, WORKDIR, VOLUME: nothing to check against the code
                    }
                }
            }
            return new Dockerfile(stages, copies);
        }
    }
}
