-- Alerting (docs/alerting.md): rules, incidents with their timeline, channels, and the notifications to deliver.

CREATE TABLE alert_rules (
    id            VARCHAR(36)  PRIMARY KEY,
    name          VARCHAR(128) NOT NULL,
    -- which tasks: {"task": "<id>"} or {"labels": {...}} (JSON)
    tasks         TEXT         NOT NULL,
    -- the condition and scope as the API takes them (JSON)
    rule          TEXT         NOT NULL,
    channel_ids   TEXT         NOT NULL,
    enabled       BOOLEAN      NOT NULL DEFAULT TRUE,
    created_by    VARCHAR(36),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    revision      BIGINT       NOT NULL DEFAULT 1
);

-- One per firing of a rule on a task, from FIRING to RESOLVED. open_key is "<rule>/<task>" while it is open and NULL
-- once resolved, so that a unique index allows one open incident per rule and task on H2 and PostgreSQL alike.
CREATE TABLE incidents (
    id              VARCHAR(36)  PRIMARY KEY,
    rule_id         VARCHAR(36)  NOT NULL,
    task_id         VARCHAR(128) NOT NULL,
    open_key        VARCHAR(200) UNIQUE,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at     TIMESTAMP WITH TIME ZONE,
    acknowledged_by VARCHAR(64),
    acknowledged_at TIMESTAMP WITH TIME ZONE,
    summary         TEXT         NOT NULL
);
CREATE INDEX incidents_started ON incidents (started_at);

-- The timeline: firing, reminders, acknowledgement, notes, resolution.
CREATE TABLE incident_events (
    id          VARCHAR(36) PRIMARY KEY,
    incident_id VARCHAR(36) NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    kind        VARCHAR(16) NOT NULL,
    actor       VARCHAR(64),
    summary     TEXT        NOT NULL,
    bad_agents  TEXT        NOT NULL,
    evidence    TEXT        NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at);
