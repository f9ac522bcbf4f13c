-- Several server replicas share one database (docs/configuration.md, "Several replicas").
-- The replica holding an agent's connection: only it may mark the agent offline, so a replica noticing an old,
-- replaced connection late does not undo the newer one's "online".
ALTER TABLE agents ADD COLUMN replica VARCHAR(64);
-- The agents each replica sent an instant test to (each sends it to the agents connected to it).
CREATE TABLE instant_test_agents (
    instant_id VARCHAR(36) NOT NULL,
    agent_id   VARCHAR(36) NOT NULL,
    PRIMARY KEY (instant_id, agent_id)
);
