-- The internal CA that signs agents' client certificates (docs/security.md "Agent certificates"): one row, shared by
-- every replica; the key is sealed with the secrets key like every other stored secret.
CREATE TABLE agent_ca (
    id          INT          PRIMARY KEY,
    certificate TEXT         NOT NULL,
    private_key TEXT         NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
-- Every client certificate issued to an agent; one is honoured only while its row is here, unrevoked, and its agent
-- is neither revoked nor deleted.
CREATE TABLE agent_certificates (
    serial     VARCHAR(64)  PRIMARY KEY,
    agent_id   VARCHAR(64)  NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    not_after  TIMESTAMP WITH TIME ZONE NOT NULL,
    issued_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX agent_certificates_agent ON agent_certificates (agent_id);
