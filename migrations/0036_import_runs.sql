-- Every import that commits something is a run with its progress, written in the transaction of
-- each batch, so what a killed import stored is known exactly: the rows of the file it went
-- through, what they made (created, duplicates, failed), and a digest of those rows. Sending the
-- same file again with resumes=<run> skips those rows (after checking the digest: it must be the
-- same file) and carries the totals, so they add up across resumptions. A run that stops with an
-- error is closed as interrupted at once; one whose process died shows as interrupted once it has
-- not beaten for five minutes, and is closed when it is resumed.
CREATE TABLE import_runs (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL,                  -- also the objectId of the import's audit events
  object           text NOT NULL CHECK (object IN ('contacts', 'accounts', 'leads', 'opportunities')),
  file_name        text NOT NULL,
  started_by       uuid,                           -- the member (null for an API token)
  started_at       timestamptz NOT NULL DEFAULT now(),
  heartbeat_at     timestamptz,                    -- the last committed batch
  finished_at      timestamptz,
  interrupted_at   timestamptz,
  resumes          uuid,                           -- the interrupted run this one continues
  rows_done        integer NOT NULL DEFAULT 0,     -- data rows of the file gone through, counting from the first
  rows_digest      text,                           -- SHA-256 over those rows, to recognise the file on resumption
  created          integer NOT NULL DEFAULT 0,
  duplicates       integer NOT NULL DEFAULT 0,
  failed           integer NOT NULL DEFAULT 0,
  accounts_created integer NOT NULL DEFAULT 0,
  carried          jsonb NOT NULL DEFAULT '{}',    -- totals of the runs it continues: {created, duplicates, failed, accountsCreated}
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX import_runs_started_idx ON import_runs (tenant_id, started_at DESC, id DESC);
CREATE UNIQUE INDEX import_runs_resumed_once ON import_runs (tenant_id, resumes) WHERE resumes IS NOT NULL;

SELECT app_isolate_tenant_tables(ARRAY['import_runs']);
