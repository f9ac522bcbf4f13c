-- An enrollment token carries the address policy its agents start with (docs/agent-protocol.md, "policy").
ALTER TABLE enrollment_tokens ADD COLUMN policy TEXT;
