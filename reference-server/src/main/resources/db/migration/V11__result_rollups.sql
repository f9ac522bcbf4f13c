-- Rollups of results per task, agent, resolution (1m, 1h, 1d) and bucket (docs/rollups.md), written in the
-- transaction that stores the results (RollupStore), kept for their own retention (vantage.results.rollups.*).
-- The sketches column holds a DDSketch per latency measure (latency, phase.<name>) of the successful results.
CREATE TABLE result_rollups (
    task_id      VARCHAR(128) NOT NULL,
    resolution   VARCHAR(2)   NOT NULL,
    bucket_start TIMESTAMP WITH TIME ZONE NOT NULL,
    agent_id     VARCHAR(36)  NOT NULL,
    total        BIGINT       NOT NULL,
    successes    BIGINT       NOT NULL,
    failures     BIGINT       NOT NULL,
    timeouts     BIGINT       NOT NULL,
    errors       BIGINT       NOT NULL,
    error_kinds  TEXT         NOT NULL,
    latency_min  DOUBLE PRECISION,
    latency_max  DOUBLE PRECISION,
    latency_sum  DOUBLE PRECISION NOT NULL,
    loss_sum     DOUBLE PRECISION NOT NULL,
    loss_count   BIGINT       NOT NULL,
    sketches     BYTEA        NOT NULL,
    PRIMARY KEY (task_id, resolution, bucket_start, agent_id)
);
-- retention deletes by resolution and age; deleting an agent deletes its rollups
CREATE INDEX result_rollups_age ON result_rollups (resolution, bucket_start);
CREATE INDEX result_rollups_agent ON result_rollups (agent_id);
