-- A retention run killed mid-way (the process died; its job is taken over when the lease runs
-- out) used to stay "started, not finished" for ever, and the run that resumed it counted only
-- its own part. Now a run beats at every batch; the next run of the rule closes a run whose
-- beat is older than two job leases as interrupted, names it as the run it resumes, and carries
-- its total, so the last run says how many were applied across every resumption.
ALTER TABLE retention_runs
  ADD COLUMN heartbeat_at   timestamptz,                   -- the last committed batch
  ADD COLUMN interrupted_at timestamptz,                   -- set by the run that took over: the last beat heard
  ADD COLUMN resumes        uuid,                          -- the interrupted run this one continues
  ADD COLUMN applied_before integer NOT NULL DEFAULT 0;    -- applied by the runs it continues, all together
