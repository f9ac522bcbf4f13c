-- Rollups write an epoch's minute rows at once and its hour and day rows about once a minute (Rollups): an epoch
-- whose minutes are written is marked, so a crashed server's epoch is counted again only into what is missing.
ALTER TABLE rollup_epochs ADD COLUMN minutes_written BOOLEAN NOT NULL DEFAULT FALSE;
