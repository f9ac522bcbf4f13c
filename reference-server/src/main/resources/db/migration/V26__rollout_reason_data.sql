-- Why a rollout or one of its agents stopped, as a message code and arguments (errors.Message), so that each reader
-- of the rollout gets it in their language; `reason` keeps the English text (older rows have only that).
ALTER TABLE agent_rollouts ADD COLUMN reason_data TEXT;
ALTER TABLE agent_rollout_targets ADD COLUMN reason_data TEXT;
