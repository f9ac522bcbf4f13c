-- SLA objectives per task (docs/sla.md); deleted with their task.
CREATE TABLE sla_objectives (
    task_id            VARCHAR(128)     PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    availability       DOUBLE PRECISION NOT NULL,
    latency_quantile   DOUBLE PRECISION,
    latency_ms         DOUBLE PRECISION,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL
);
