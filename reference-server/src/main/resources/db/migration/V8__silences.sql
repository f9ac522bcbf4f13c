-- Silences and maintenance windows (docs/alerting.md): alerts inside one are recorded, but nobody is told.
CREATE TABLE silences (
    id          VARCHAR(36) PRIMARY KEY,
    tasks       TEXT        NOT NULL,
    rule_id     VARCHAR(36),
    -- {"once": {...}} or {"weekly": {...}} (JSON)
    window_json TEXT        NOT NULL,
    comment     VARCHAR(500),
    created_by  VARCHAR(36),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
-- the silence that kept a timeline entry from being sent
ALTER TABLE incident_events ADD COLUMN silenced_by VARCHAR(36);
