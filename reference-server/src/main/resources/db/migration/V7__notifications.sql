-- Notification channels and the notifications to deliver (docs/alerting.md).

CREATE TABLE alert_channels (
    id         VARCHAR(36)  PRIMARY KEY,
    name       VARCHAR(128) NOT NULL,
    type       VARCHAR(32)  NOT NULL,
    language   VARCHAR(8)   NOT NULL,
    -- the type's settings (JSON), secrets included: never answered as they are (masked)
    settings   TEXT         NOT NULL,
    enabled    BOOLEAN      NOT NULL DEFAULT TRUE,
    created_by VARCHAR(36),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revision   BIGINT       NOT NULL DEFAULT 1
);

-- One per timeline entry and channel, written in the transaction that records the entry, so nothing recorded is
-- left unsent and nothing is queued twice. A replica claims a row (claimed_until) before sending it.
CREATE TABLE notifications (
    id              VARCHAR(36) PRIMARY KEY,
    event_id        VARCHAR(36) NOT NULL REFERENCES incident_events (id) ON DELETE CASCADE,
    channel_id      VARCHAR(36) NOT NULL,
    status          VARCHAR(16) NOT NULL,
    attempts        INT         NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    claimed_until   TIMESTAMP WITH TIME ZONE,
    claimed_by      VARCHAR(64),
    last_code       INT,
    last_error      VARCHAR(500),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    done_at         TIMESTAMP WITH TIME ZONE,
    UNIQUE (event_id, channel_id)
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_channel ON notifications (channel_id, created_at);
