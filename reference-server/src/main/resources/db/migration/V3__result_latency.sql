-- The latency a result stands for: the mean round trip for probes that measure one (ICMP, UDP), else the attempt's
-- duration (TCP connect, HTTP total). Aggregates read it; NULL on rows stored before this column existed.
ALTER TABLE results ADD COLUMN latency_ms DOUBLE PRECISION;
