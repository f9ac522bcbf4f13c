-- A channel's own wording: templates replacing some of its language's built-in ones (JSON object by template key).
ALTER TABLE alert_channels ADD COLUMN templates TEXT DEFAULT '{}' NOT NULL;
