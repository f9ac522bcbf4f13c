-- Vantage schema, version 1. Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.
-- Ids are UUID strings made by the server (results keep the engine's UUIDv7). JSON documents are stored as TEXT.
-- Timestamps are TIMESTAMP WITH TIME ZONE, written in UTC.

CREATE TABLE users (
    id            VARCHAR(36)  PRIMARY KEY,
    username      VARCHAR(64)  NOT NULL UNIQUE,
    password_hash VARCHAR(255) NOT NULL,
    role          VARCHAR(16)  NOT NULL,
    token_version INT          NOT NULL DEFAULT 0,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    disabled      BOOLEAN      NOT NULL DEFAULT FALSE
);

-- one row per login; the access and refresh tokens of a login carry its id, so revoking it ends both
CREATE TABLE sessions (
    id           VARCHAR(36) PRIMARY KEY,
    user_id      VARCHAR(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_hash VARCHAR(64) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at   TIMESTAMP WITH TIME ZONE
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           VARCHAR(36)  PRIMARY KEY,
    user_id      VARCHAR(36)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         VARCHAR(128) NOT NULL,
    role         VARCHAR(16)  NOT NULL,
    token_hash   VARCHAR(64)  NOT NULL UNIQUE,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE agents (
    id              VARCHAR(36)  PRIMARY KEY,
    name            VARCHAR(128) NOT NULL,
    credential_hash VARCHAR(255) NOT NULL,
    labels          TEXT         NOT NULL,
    policy          TEXT,
    version         VARCHAR(64),
    capabilities    TEXT,
    stats           TEXT,
    online          BOOLEAN      NOT NULL DEFAULT FALSE,
    last_seen       TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at      TIMESTAMP WITH TIME ZONE
);

CREATE TABLE enrollment_tokens (
    id         VARCHAR(36) PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    labels     TEXT        NOT NULL,
    uses_left  INT         NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by VARCHAR(36),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);

CREATE TABLE tasks (
    id         VARCHAR(128)  PRIMARY KEY,
    name       VARCHAR(256)  NOT NULL,
    type       VARCHAR(32)   NOT NULL,
    target     VARCHAR(2048) NOT NULL,
    spec       TEXT          NOT NULL,
    selector   TEXT          NOT NULL,
    enabled    BOOLEAN       NOT NULL,
    created_by VARCHAR(36),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revision   BIGINT        NOT NULL
);

CREATE TABLE results (
    id           VARCHAR(36)   PRIMARY KEY,
    task_id      VARCHAR(128)  NOT NULL,
    agent_id     VARCHAR(36)   NOT NULL,
    type         VARCHAR(32)   NOT NULL,
    target       VARCHAR(2048) NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    error_kind   VARCHAR(32),
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_ms  DOUBLE PRECISION NOT NULL,
    loss_percent DOUBLE PRECISION,
    body         TEXT          NOT NULL,
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX results_task_started ON results (task_id, started_at);
CREATE INDEX results_agent_started ON results (agent_id, started_at);

CREATE TABLE instant_tests (
    id         VARCHAR(36) PRIMARY KEY,
    spec       TEXT        NOT NULL,
    agent_ids  TEXT        NOT NULL,
    created_by VARCHAR(36),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
