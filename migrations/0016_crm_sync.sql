-- CRM sync: connections to the customer's other CRMs (HubSpot, Salesforce, Pipedrive, a CSV drop
-- folder), what was copied from each of them, every run, and the proof of deletion when a
-- connection is removed.
--
-- The copies are ordinary CRM records (accounts, contacts, leads, opportunities, tasks), encrypted
-- like any other; sync_links says which external object each record came from or was matched to,
-- so a disconnect can delete exactly what only that connection brought in.

CREATE TYPE connector_kind AS ENUM ('hubspot', 'salesforce', 'pipedrive', 'csv');

CREATE TABLE integrations (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,                -- also the id of the data key its credentials are sealed under
  kind               connector_kind NOT NULL,
  label              text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  -- API root (https://api.hubapi.com, a Salesforce instance URL, ...) or, for csv, the drop folder.
  base_url           text NOT NULL CHECK (length(base_url) BETWEEN 1 AND 500),
  -- API key or OAuth tokens, encrypted; emptied and the key destroyed on disconnect.
  credentials_enc    text,
  -- 'processor': the data is processed on the customer's behalf only (Art. 28): never used for
  -- the workspace's own purposes, and shown in the register as processor activity.
  acting_as          text NOT NULL DEFAULT 'controller' CHECK (acting_as IN ('controller', 'processor')),
  -- The external objects copied, in the order they are synced (companies before contacts, ...).
  objects            text[] NOT NULL CHECK (cardinality(objects) > 0),
  sync_every_seconds integer NOT NULL DEFAULT 86400 CHECK (sync_every_seconds BETWEEN 3600 AND 604800),
  next_sync_at       timestamptz,
  -- Every change made before this instant has been copied: the next incremental run starts here.
  synced_until       timestamptz,
  -- The member the copied records belong to (owner, assignee).
  connected_by       uuid NOT NULL,
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconnect', 'disconnecting', 'disconnected')),
  status_reason      text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  disconnected_at    timestamptz,
  -- Counts before and after the purge per object, with timestamps: the proof of deletion.
  purge_certificate  jsonb,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, connected_by) REFERENCES members (tenant_id, id),
  CHECK ((status IN ('disconnecting', 'disconnected')) = (disconnected_at IS NOT NULL)),
  CHECK (status NOT IN ('disconnecting', 'disconnected') OR credentials_enc IS NULL)
);
CREATE INDEX integrations_due_idx ON integrations (next_sync_at) WHERE status = 'active';

-- One external object ↔ one internal record. 'created': the connection brought the record in;
-- 'matched': the record existed (or came from elsewhere) and was linked by the rule in
-- match_rule, the connection filling only the fields listed in filled_fields.
CREATE TABLE sync_links (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  integration_id      uuid NOT NULL,
  object              text NOT NULL,               -- the external object type: companies, Contact, persons, ...
  external_id         text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
  record_type         text NOT NULL CHECK (record_type IN ('account', 'contact', 'lead', 'opportunity', 'task')),
  record_id           uuid NOT NULL,
  origin              text NOT NULL CHECK (origin IN ('created', 'matched')),
  match_rule          text CHECK (match_rule IN ('domain', 'name', 'fuzzy_name', 'email', 'review', 'pushed')),
  filled_fields       text[] NOT NULL DEFAULT '{}',
  -- Keyed hash (as a blind index) of the values last applied: an unchanged object is not rewritten.
  content_hash        text NOT NULL,
  external_updated_at timestamptz,
  synced_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, integration_id, object, external_id),
  FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
  CHECK ((origin = 'matched') = (match_rule IS NOT NULL))
);
CREATE INDEX sync_links_record_idx ON sync_links (tenant_id, record_type, record_id);

CREATE TABLE sync_runs (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL,
  mode           text NOT NULL CHECK (mode IN ('initial', 'incremental')),
  state          text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  -- Incremental runs fetch what changed at or after this instant; initial runs fetch everything.
  changes_since  timestamptz,
  -- Where a run stopped: the object, the phase (changes, deletions) and the connector's page cursor.
  -- Saved in the transaction that stores each page, so a crashed run resumes at the next page.
  checkpoint     jsonb NOT NULL DEFAULT '{}',
  -- Per object: fetched, created, updated, unchanged, deleted, failed.
  stats          jsonb NOT NULL DEFAULT '{}',
  -- Up to 100 records that could not be stored, with the reason (field names, never values).
  failures       jsonb NOT NULL DEFAULT '[]',
  requests       integer NOT NULL DEFAULT 0,
  rate_limited   integer NOT NULL DEFAULT 0,
  error          text,
  requested_by   uuid,                             -- null: the schedule
  created_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sync_runs_integration_idx ON sync_runs (tenant_id, integration_id, created_at);
-- At most one run per connection queued or running.
CREATE UNIQUE INDEX sync_runs_one_active ON sync_runs (tenant_id, integration_id) WHERE state IN ('queued', 'running');

-- External records that looked like more than one internal record: stored separately, and left
-- for a person to merge or keep apart rather than merged by guess.
CREATE TABLE sync_match_reviews (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL,
  object         text NOT NULL,
  external_id    text NOT NULL,
  record_type    text NOT NULL CHECK (record_type IN ('account', 'contact')),
  record_id      uuid NOT NULL,                    -- the record the external object was stored as
  candidate_ids  uuid[] NOT NULL CHECK (cardinality(candidate_ids) > 0),
  rule           text NOT NULL CHECK (rule IN ('domain', 'name', 'fuzzy_name', 'email')),
  explanation    text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  resolved_at    timestamptz,
  resolved_by    uuid,
  resolution     text CHECK (resolution IN ('merged', 'kept_separate')),
  merged_into    uuid,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
  CHECK ((resolved_at IS NULL) = (resolution IS NULL)),
  CHECK ((resolution = 'merged') = (merged_into IS NOT NULL))
);
CREATE UNIQUE INDEX sync_match_reviews_open ON sync_match_reviews (tenant_id, integration_id, object, external_id) WHERE resolved_at IS NULL;

-- Deletions owed to connected CRMs: a person erased here is deleted there too. A row lives until
-- the other CRM has confirmed the deletion; the audit trail then keeps the fact, not the id.
CREATE TABLE sync_erasures (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL,
  object         text NOT NULL,
  external_id    text NOT NULL,
  requested_at   timestamptz NOT NULL DEFAULT now(),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, integration_id, object, external_id)
);

SELECT app_isolate_tenant_tables(ARRAY['integrations', 'sync_links', 'sync_runs', 'sync_match_reviews', 'sync_erasures']);
