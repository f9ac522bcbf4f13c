-- The tasks a task depends on (JSON array of task ids): while one of them fails from an agent, alerting does not
-- blame this task for that agent's failures (docs/alerting.md, "Dependencies").
ALTER TABLE tasks ADD COLUMN depends_on TEXT DEFAULT '[]' NOT NULL;
