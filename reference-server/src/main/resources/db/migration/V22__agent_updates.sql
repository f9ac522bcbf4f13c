-- Agent releases (docs/agent-updates.md): the signed agent jar, stored in rows of at most 1 MiB so that every
-- replica serves it and a download streams; `ready` once every byte arrived and matched sha256.
CREATE TABLE agent_releases (
    version     VARCHAR(64)  PRIMARY KEY,
    size        BIGINT       NOT NULL,
    sha256      VARCHAR(64)  NOT NULL,
    signature   VARCHAR(200) NOT NULL,
    received    BIGINT       NOT NULL,
    ready       BOOLEAN      NOT NULL,
    uploaded_by VARCHAR(64)  NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE TABLE agent_release_chunks (
    version VARCHAR(64) NOT NULL REFERENCES agent_releases (version) ON DELETE CASCADE,
    seq     INT         NOT NULL,
    data    BYTEA       NOT NULL,
    PRIMARY KEY (version, seq)
);
-- Rollouts of a release to the agents a selector matches, in waves; one row per agent taking part.
CREATE TABLE agent_rollouts (
    id            VARCHAR(36)  PRIMARY KEY,
    version       VARCHAR(64)  NOT NULL,
    selector      TEXT         NOT NULL,
    percent       INT          NOT NULL,
    agent_timeout_ms BIGINT    NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    wave          INT          NOT NULL,
    reason        TEXT,
    created_by    VARCHAR(64)  NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE TABLE agent_rollout_targets (
    rollout_id VARCHAR(36) NOT NULL REFERENCES agent_rollouts (id) ON DELETE CASCADE,
    agent_id   VARCHAR(36) NOT NULL,
    position   INT         NOT NULL,
    wave       INT         NOT NULL,
    state      VARCHAR(16) NOT NULL,
    step       VARCHAR(16),
    reason     TEXT,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (rollout_id, agent_id)
);
