-- PostgreSQL only (db/vendor/h2 has the H2 twin of this version): results partitioned by day of started_at, so the
-- retention (vantage.results.retention) drops whole partitions instead of deleting rows. The server creates the daily
-- partitions ahead of time and drops old ones (ResultRetention); the default partition takes any row no daily
-- partition covers (a result from an agent with a wrong clock, or rows older than the first daily partition), so an
-- insert never fails for want of a partition.
--
-- The primary key of a partitioned table must include the partition key, so it is (id, started_at), not (id).
-- "Stored once per result id" still holds because a result's id and started_at never change: an agent resends the
-- very JSON it sent before, so a resent result collides on (id, started_at) and ON CONFLICT DO NOTHING skips it.
ALTER TABLE results RENAME TO results_v4;
ALTER INDEX results_task_started RENAME TO results_v4_task_started;
ALTER INDEX results_agent_started RENAME TO results_v4_agent_started;

CREATE TABLE results (
    id           VARCHAR(36)   NOT NULL,
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
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    latency_ms   DOUBLE PRECISION,
    PRIMARY KEY (id, started_at)
) PARTITION BY RANGE (started_at);
CREATE INDEX results_task_started ON results (task_id, started_at);
CREATE INDEX results_agent_started ON results (agent_id, started_at);
CREATE TABLE results_default PARTITION OF results DEFAULT;

-- existing rows land in the default partition; the server moves each day's rows into its daily partition when it
-- creates it, and the retention deletes old ones from the default partition
INSERT INTO results (id, task_id, agent_id, type, target, status, error_kind, started_at, duration_ms, loss_percent,
                     body, received_at, latency_ms)
SELECT id, task_id, agent_id, type, target, status, error_kind, started_at, duration_ms, loss_percent, body,
       received_at, latency_ms
FROM results_v4;
DROP TABLE results_v4;
