-- Art. 19 GDPR: a rectification (Art. 16) is communicated to each recipient the data was disclosed
-- to, as an erasure is (0041); Art. 21(3): after an objection to direct marketing the data is no
-- longer processed for it, which a connected CRM that mails the person must be told too. Each
-- connected CRM holding a copy of the person gets the operation through its connector:
--   rectification: the record's corrected values are written over the copy there;
--   objection:     the person is unsubscribed there from marketing (HubSpot's subscription
--                  types, Salesforce's HasOptedOutOfEmail and DoNotCall, Pipedrive's
--                  marketing_status).
-- Erasures keep their own queue (sync_erasures): it must hold the external id, since the link
-- goes with the person. Here the link stays, so an owed operation names our record and the job
-- finds the copies through sync_links when it runs; an erasure in between removes both.

CREATE TABLE sync_rights_owed (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL,
  request_id     uuid,                          -- the rights request it carries out, if any
  operation      text NOT NULL CHECK (operation IN ('rectification', 'objection')),
  record_type    text NOT NULL CHECK (record_type IN ('contact', 'lead')),
  record_id      uuid NOT NULL,
  requested_at   timestamptz NOT NULL DEFAULT now(),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,                          -- the vendor's last refusal, for whoever reviews it
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id) ON DELETE CASCADE,
  -- One owed operation per copy: a second request while the first is owed adds nothing to do.
  UNIQUE (tenant_id, integration_id, operation, record_type, record_id)
);
-- The review queue: what a connected CRM refused at least once and still owes.
CREATE INDEX sync_rights_owed_failing ON sync_rights_owed (tenant_id, attempts) WHERE attempts > 0;

-- What each connected CRM answered, per request: the connection, the kind of object and the
-- vendor's answer in words, never the external id or a value of the person.
CREATE TABLE sync_rights_receipts (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL,
  request_id     uuid,
  operation      text NOT NULL CHECK (operation IN ('rectification', 'objection')),
  object         text NOT NULL,
  answer         text NOT NULL,
  done_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id)
);
CREATE INDEX sync_rights_receipts_request ON sync_rights_receipts (tenant_id, request_id);

SELECT app_isolate_tenant_tables(ARRAY['sync_rights_owed', 'sync_rights_receipts']);
