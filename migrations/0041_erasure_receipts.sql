-- Art. 19 GDPR: the controller communicates an erasure to each recipient the data was disclosed
-- to. A connected CRM is such a recipient: what each one was asked and answered is kept as a
-- receipt, per data subject request when the erasure carried one out. A receipt names the
-- connection and the kind of object, never the external id (an identifier of the erased person).
ALTER TABLE sync_erasures
  ADD COLUMN request_id uuid;                 -- the rights request the deletion carries out, if any

CREATE TABLE sync_erasure_receipts (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  integration_id uuid NOT NULL,
  request_id     uuid,
  object         text NOT NULL,
  method         text NOT NULL CHECK (method IN ('gdpr_delete', 'delete')),
  permanent      boolean NOT NULL,             -- false: the vendor keeps it restorable for a while
  note           text NOT NULL,                -- what the vendor does with it, in words
  done_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, integration_id) REFERENCES integrations (tenant_id, id)
);
CREATE INDEX sync_erasure_receipts_request ON sync_erasure_receipts (tenant_id, request_id);

SELECT app_isolate_tenant_tables(ARRAY['sync_erasure_receipts']);
