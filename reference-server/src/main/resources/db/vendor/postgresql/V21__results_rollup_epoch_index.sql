-- Finds an epoch's results to count them again after a crash. BRIN: epochs grow with time as rows are appended, so a
-- summary per block range finds them at almost no cost to inserts. (H2 has none: the embedded server, alone on its
-- file, scans the table once at a start after a crash.)
CREATE INDEX results_rollup_epoch ON results USING brin (rollup_epoch);
