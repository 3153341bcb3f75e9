-- A run keeps the first 100 failures it met (object, external id, reason) so the page stays
-- readable; failures_total counts every one of them, those stored without a value included, so
-- a long list is never cut silently.
ALTER TABLE sync_runs
  ADD COLUMN failures_total integer NOT NULL DEFAULT 0;
