-- A vendor keeps a log of deletions for a while only (Salesforce: 15 days in the Recycle Bin, less
-- when it is purged early). A run therefore sometimes reconciles instead of trusting that log: it
-- lists every external id of each object, marks the links it saw, and deletes what was not seen
-- (with the same guard against a listing cut short as a CSV drop). It does so when the deletion
-- log may no longer reach back to the last sync, when the last reconciliation is older than
-- LAWFUL_SYNC_RECONCILE_DAYS (default 7), or when an administrator forces a full resync.
ALTER TABLE sync_runs
  ADD COLUMN reconcile   boolean,                        -- decided when the run first starts
  ADD COLUMN full_resync boolean NOT NULL DEFAULT false; -- asked for: everything listed again
ALTER TABLE integrations
  ADD COLUMN reconciled_at timestamptz;                  -- when a complete listing last confirmed the links
