-- H2 only (db/vendor/postgresql has the PostgreSQL twin of this version, a partitioned table): results stay one plain
-- table, and the retention deletes old rows in chunks by started_at, which this index finds without a full scan.
CREATE INDEX results_started ON results (started_at);
