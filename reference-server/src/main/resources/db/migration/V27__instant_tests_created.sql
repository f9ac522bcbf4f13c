-- Instant tests (and the server's /api/v1/probe scrapes, which are instant tests) are deleted by age in the hourly
-- retention round, like their results.
CREATE INDEX instant_tests_created ON instant_tests (created_at);
