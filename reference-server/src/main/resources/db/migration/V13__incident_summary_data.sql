-- What people are told of an incident, as a message code and arguments (alerting.evaluation.Summary), so that each
-- reader gets it in their language; `summary` keeps the English text (older rows have only that).
ALTER TABLE incidents ADD COLUMN summary_data TEXT;
ALTER TABLE incident_events ADD COLUMN summary_data TEXT;
