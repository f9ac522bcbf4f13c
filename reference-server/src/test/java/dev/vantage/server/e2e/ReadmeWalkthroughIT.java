package dev.vantage.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's curl walkthrough, exactly as written, against a freshly started server jar: if the README and
 * the server disagree, this fails.
 */
class ReadmeWalkthroughIT {
    private static final String PASSWORD = "readme-walkthrough-password";

    @TempDir
    Path dir;

    /** Process output stays after the run (CI keeps target/), for reading a failure. */
    private static final Path LOGS = Path.of("target/e2e-logs/walkthrough");

    static String walkthrough() throws Exception {
        String readme = Files.readString(Processes.ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("<!-- walkthrough:begin -->\\s*```sh\\n(.*?)```\\s*<!-- walkthrough:end -->",
                Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("README has the walkthrough block").isTrue();
        return m.group(1);
    }

    @Test
    void theReadmeWalkthroughWorksAsWritten() throws Exception {
        int port = Processes.freePort();
        Processes.Jvm server = Processes.start("server", Processes.SERVER_JAR, dir.resolve("server"), Map.of(
                "SERVER_PORT", Integer.toString(port),
                "VANTAGE_DATA_DIR", dir.resolve("server/data").toString(),
                "VANTAGE_ADMIN_PASSWORD", PASSWORD,
                "VANTAGE_LOCAL_AGENT_LOOPBACK_PORTS", "0,9000"), LOGS); // as the README starts it
        try {
            Processes.awaitReady("http://localhost:" + port, server);
            // the walkthrough runs from the project folder; give it one with the agent jar where the README says
            Path project = dir.resolve("project");
            Files.createDirectories(project.resolve("reference-agent/target"));
            Files.createSymbolicLink(project.resolve("reference-agent/target/vantage-agent.jar"), Processes.AGENT_JAR);
            ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-euo", "pipefail", "-c", walkthrough()))
                    .directory(project.toFile()).redirectErrorStream(true)
                    .redirectOutput(LOGS.resolve("walkthrough.log").toFile());
            pb.environment().put("VANTAGE", "http://localhost:" + port);
            pb.environment().put("VANTAGE_ADMIN_PASSWORD", PASSWORD);
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("walkthrough finished").isTrue();
            String out = Files.readString(LOGS.resolve("walkthrough.log"));
            System.out.println(out);
            assertThat(p.exitValue()).as("walkthrough exit status; output:\n" + out + "\nserver:\n" + server.output()).isZero();
            // the task was created, results came, two agents were online, and the second one probed too
            assertThat(out).contains("\"id\":\"ping-localhost\"").contains("\"items\":[{").contains("\"availability\"");
            assertThat(Pattern.compile("\"online\":true").matcher(out).results().count()).isEqualTo(2);
            assertThat(out).contains("\"name\":\"lab-1\"");
        } finally {
            server.kill();
        }
    }
}
