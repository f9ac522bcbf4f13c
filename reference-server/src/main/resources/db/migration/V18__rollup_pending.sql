-- Results stored but not yet added to the rollups (docs/rollups.md). Storing a result inserts its row here in the
-- same transaction; RollupStore.flush moves the rows of closed minutes into result_rollups, a batch per transaction, deleting exactly the
-- rows it added, so a result is counted once whatever crashes. Reads of rollups merge the rows still here, so they
-- are exact at once. The row holds what a rollup counts of the result (phases as a JSON object of milliseconds).
CREATE TABLE rollup_pending (
    result_id    VARCHAR(36)  PRIMARY KEY,
    task_id      VARCHAR(128) NOT NULL,
    agent_id     VARCHAR(36)  NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    error_kind   VARCHAR(32),
    latency_ms   DOUBLE PRECISION NOT NULL,
    loss_percent DOUBLE PRECISION,
    phases       TEXT
);
-- a flush takes the results of closed minutes in this order (a bucket row written once), reads by task
CREATE INDEX rollup_pending_key ON rollup_pending (task_id, agent_id, started_at);

-- One row, locked by a flush for its transaction: one flush at a time across replicas, and deleting an agent's
-- rollups waits for a flush that might be adding to them.
CREATE TABLE rollup_flush (
    id         INT PRIMARY KEY,
    flushed_at TIMESTAMP WITH TIME ZONE
);
INSERT INTO rollup_flush (id, flushed_at) VALUES (1, NULL);
