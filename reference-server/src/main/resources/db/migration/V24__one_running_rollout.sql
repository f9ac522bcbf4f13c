-- At most one running rollout, kept by the database rather than by a check before the insert (two replicas, or two
-- requests, starting rollouts at once both passed the check). `running` is TRUE while the rollout runs and NULL
-- after; a UNIQUE constraint lets any number of NULLs through, on H2 and PostgreSQL alike.
ALTER TABLE agent_rollouts ADD COLUMN running BOOLEAN;
UPDATE agent_rollouts SET running = TRUE
    WHERE id = (SELECT MIN(id) FROM agent_rollouts WHERE state = 'running');
ALTER TABLE agent_rollouts ADD CONSTRAINT agent_rollouts_one_running UNIQUE (running);
