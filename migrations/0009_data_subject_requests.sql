-- Data subject requests (Art. 12, 15-22): the queue staff work through, with the statutory
-- deadline (src/rights/deadlines.ts), identity verification, and the evidence of what was found,
-- done and sent. The request record itself outlives an erasure (accountability, Art. 5(2));
-- its requester details are encrypted under the request's own key (its id).

CREATE TYPE dsr_type AS ENUM ('access', 'portability', 'rectification', 'erasure', 'restriction', 'objection');
CREATE TYPE dsr_status AS ENUM ('received', 'verifying', 'in_progress', 'completed', 'rejected');
CREATE TYPE dsr_channel AS ENUM ('portal', 'email', 'phone', 'letter', 'in_person');

CREATE TABLE dsr_requests (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL,                      -- also the id of the request's data key
  type                 dsr_type NOT NULL,
  channel              dsr_channel NOT NULL,
  requester_email_enc  text NOT NULL,
  requester_name_enc   text,
  details_enc          text,                               -- what the person asked, in their words
  requester_email_index text NOT NULL,                     -- blind index: finds the person's records
  identity_status      text NOT NULL DEFAULT 'unverified' CHECK (identity_status IN ('unverified', 'verified', 'failed')),
  identity_method      text,                               -- e.g. 'email link (portal)', 'call-back'
  received_at          timestamptz NOT NULL,
  due_at               timestamptz NOT NULL,
  extended_at          timestamptz,
  extension_reason     text,
  status               dsr_status NOT NULL DEFAULT 'received',
  rejection_reason     text,
  completed_at         timestamptz,
  assignee_id          uuid,
  created_by_type      text NOT NULL CHECK (created_by_type IN ('member', 'api_token', 'system', 'data_subject')),
  created_by_id        text,
  last_alert_at        timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES members (tenant_id, id),
  CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
  CHECK ((extended_at IS NULL) = (extension_reason IS NULL))
);
CREATE INDEX dsr_requests_due_idx ON dsr_requests (tenant_id, due_at, id) WHERE status NOT IN ('completed', 'rejected');
CREATE INDEX dsr_requests_received_idx ON dsr_requests (tenant_id, received_at, id);
CREATE INDEX dsr_requests_email_idx ON dsr_requests (tenant_id, requester_email_index);

-- What was found, done and sent for a request, step by step.
CREATE TABLE dsr_evidence (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  request_id  uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('found', 'done', 'sent', 'note')),
  summary_enc text NOT NULL,                              -- under the request's key
  actor_type  text NOT NULL CHECK (actor_type IN ('member', 'api_token', 'system', 'data_subject')),
  actor_id    text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, request_id) REFERENCES dsr_requests (tenant_id, id)
);
CREATE INDEX dsr_evidence_request_idx ON dsr_evidence (tenant_id, request_id, created_at);

-- Emails about a request (receipt, extension, completion) are kept like every other email.
ALTER TABLE email_messages DROP CONSTRAINT email_messages_kind_check;
ALTER TABLE email_messages ADD CONSTRAINT email_messages_kind_check CHECK (kind IN ('campaign', 'confirmation', 'repermission', 'dsr'));

-- Erasure leaves a tombstone: the keyed hash of the address, nothing else. A contact or lead
-- created later with that address (import, form, sync, by hand) is flagged, so nobody mistakes
-- it for the old record or silently re-creates what was erased.
CREATE TABLE erasure_tombstones (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  email_index text NOT NULL,
  request_id  uuid,
  erased_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, email_index)
);

ALTER TABLE contacts ADD COLUMN reappeared_after_erasure boolean NOT NULL DEFAULT false;
ALTER TABLE leads ADD COLUMN reappeared_after_erasure boolean NOT NULL DEFAULT false;

CREATE FUNCTION flag_contact_after_erasure() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM erasure_tombstones t WHERE t.tenant_id = NEW.tenant_id AND t.email_index = ANY (NEW.email_index)) THEN
    NEW.reappeared_after_erasure := true;
  END IF;
  RETURN NEW;
END
$$;
CREATE FUNCTION flag_lead_after_erasure() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM erasure_tombstones t WHERE t.tenant_id = NEW.tenant_id AND t.email_index = NEW.email_index) THEN
    NEW.reappeared_after_erasure := true;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER contacts_flag_reappearance BEFORE INSERT OR UPDATE OF email_index ON contacts
  FOR EACH ROW EXECUTE FUNCTION flag_contact_after_erasure();
CREATE TRIGGER leads_flag_reappearance BEFORE INSERT OR UPDATE OF email_index ON leads
  FOR EACH ROW EXECUTE FUNCTION flag_lead_after_erasure();

-- Magic links of the privacy portal: short-lived, single use, bound to the address's blind
-- index. The address itself is kept (encrypted under the link's own key) only to address the
-- requests made in the session.
CREATE TABLE portal_links (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL,                      -- also the id of the link's data key
  email_index text NOT NULL,
  email_enc   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX portal_links_expiry_idx ON portal_links (tenant_id, expires_at);

SELECT app_isolate_tenant_tables(ARRAY['dsr_requests', 'dsr_evidence', 'erasure_tombstones', 'portal_links']);
