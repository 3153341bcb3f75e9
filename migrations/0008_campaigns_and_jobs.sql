-- Email campaigns to segments, gated purpose by purpose; re-permission campaigns; the record of
-- every email sent (the outbox); and the durable job queue that sends them and runs schedules.

-- A saved filter over contacts or leads.
CREATE TABLE segments (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  object      person_type NOT NULL,
  filter      jsonb NOT NULL DEFAULT '{}',       -- validated by src/campaigns/schema.ts
  created_by  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE email_templates (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),   -- plain text, {{firstName}} etc.
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TYPE campaign_kind AS ENUM ('campaign', 'repermission');
CREATE TYPE campaign_status AS ENUM ('draft', 'sending', 'sent', 'failed');

-- A send for one purpose. Re-permission campaigns target the people of a purpose whose consent
-- is missing or older than inactive_months, ask them to confirm, and expire those who do not
-- confirm by confirm_by.
CREATE TABLE campaigns (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  kind             campaign_kind NOT NULL DEFAULT 'campaign',
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  purpose_id       uuid NOT NULL,
  segment_id       uuid,
  template_id      uuid NOT NULL,
  inactive_months  integer CHECK (inactive_months BETWEEN 1 AND 120),
  confirm_within_days integer CHECK (confirm_within_days BETWEEN 1 AND 90),
  status           campaign_status NOT NULL DEFAULT 'draft',
  recipients       integer NOT NULL DEFAULT 0,
  sent             integer NOT NULL DEFAULT 0,
  failed           integer NOT NULL DEFAULT 0,
  excluded         jsonb NOT NULL DEFAULT '{}',       -- {reason: count} of people the gate refused
  expired          integer NOT NULL DEFAULT 0,        -- re-permission: consents expired at the end
  created_by       uuid NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  confirm_by       timestamptz,
  expiry_done_at   timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, purpose_id) REFERENCES purposes (tenant_id, id),
  FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id),
  FOREIGN KEY (tenant_id, template_id) REFERENCES email_templates (tenant_id, id),
  CHECK ((kind = 'campaign') = (segment_id IS NOT NULL)),
  CHECK ((kind = 'repermission') = (inactive_months IS NOT NULL AND confirm_within_days IS NOT NULL))
);

-- The people a campaign goes to (after the gate), each sent once: a resumed send skips the sent.
CREATE TABLE campaign_recipients (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  campaign_id  uuid NOT NULL,
  person_id    uuid NOT NULL,
  person_type  person_type NOT NULL,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  error        text,
  sent_at      timestamptz,
  PRIMARY KEY (tenant_id, campaign_id, person_id),
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id)
);
CREATE INDEX campaign_recipients_queued_idx ON campaign_recipients (tenant_id, campaign_id) WHERE status = 'queued';

-- Every email sent to a person, readable in the UI (the outbox when no SMTP server is set).
-- Recipient, subject and text are encrypted under the person's key: erasure shreds them.
CREATE TABLE email_messages (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  person_id    uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('campaign', 'confirmation', 'repermission')),
  campaign_id  uuid,
  to_enc       text NOT NULL,
  subject_enc  text NOT NULL,
  text_enc     text NOT NULL,
  transport    text NOT NULL CHECK (transport IN ('smtp', 'outbox')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX email_messages_created_idx ON email_messages (tenant_id, created_at, id);
CREATE INDEX email_messages_person_idx ON email_messages (tenant_id, person_id);

SELECT app_isolate_tenant_tables(ARRAY['segments', 'email_templates', 'campaigns', 'campaign_recipients', 'email_messages']);

-- The job queue: durable, retried, claimed with FOR UPDATE SKIP LOCKED so each job runs on one
-- node at a time; a node that dies leaves a lease that runs out, and another node resumes the
-- job. Payloads hold ids, never personal data. The worker (schema owner) claims across
-- workspaces and then works inside a tenant transaction; app transactions may only enqueue
-- and read their own workspace's jobs (RLS enabled, not forced, for that reason).
CREATE TABLE jobs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     uuid REFERENCES tenants (id),
  queue         text NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}',
  state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  run_at        timestamptz NOT NULL DEFAULT now(),
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL DEFAULT 5,
  locked_by     text,
  locked_until  timestamptz,
  last_error    text,
  -- At most one queued or running job per key (a schedule tick, a campaign's send).
  singleton_key text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE state IN ('queued', 'running');
CREATE UNIQUE INDEX jobs_singleton_key ON jobs (singleton_key) WHERE state IN ('queued', 'running');
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY jobs_of_tenant ON jobs USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- Recurring jobs. Each tick is claimed by moving next_run_at forward in one UPDATE, so exactly
-- one node enqueues it however many nodes run.
CREATE TABLE job_schedules (
  name          text PRIMARY KEY,
  queue         text NOT NULL,
  every_seconds integer NOT NULL CHECK (every_seconds > 0),
  next_run_at   timestamptz NOT NULL
);
REVOKE ALL ON job_schedules FROM lawful_app;
