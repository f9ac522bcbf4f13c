package dev.vantage.agent.cli;

import java.util.Optional;

/**
 * Every environment variable the agent reads, in one place: each stands in for an option left off the command line
 * (containers set them), and the deployment files are checked against this list.
 */
public enum AgentEnvironment {
    /** {@code --server}: the server's agent WebSocket URL(s), comma-separated. */
    VANTAGE_SERVER,
    /** {@code --enroll-token}: kept out of the process list this way. */
    VANTAGE_ENROLL_TOKEN,
    /** {@code --data-dir} (default {@code ./agent-data}). */
    VANTAGE_AGENT_DATA_DIR,
    /** {@code --plugins-dir} (default {@code ./plugins}). */
    VANTAGE_PLUGINS_DIR,
    /** {@code text} (default) or {@code json}: the log format. */
    VANTAGE_LOG_FORMAT,
    /** {@code --release-key}: the release public key (PEM file) agent updates must be signed with. */
    VANTAGE_RELEASE_KEY,
    /** {@code launch --agent-jvm-options}: the agent JVM's options, space-separated (default: the launcher's own). */
    VANTAGE_AGENT_JVM_OPTIONS;

    /** Its value, when set and not blank. */
    public Optional<String> value() {
        return Optional.ofNullable(System.getenv(name())).filter(v -> !v.isBlank()).map(String::strip);
    }
}
