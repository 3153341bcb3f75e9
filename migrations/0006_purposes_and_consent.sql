-- Why personal data is processed (purposes and their legal basis, Art. 6), and the consent
-- ledger (Art. 7): every consent given, confirmed, withdrawn or expired, with the proof of
-- what the person saw. Processing paths (campaigns, exports, connector pushes) ask one gate
-- (src/consent/gate.ts) whether a person may be processed for a purpose.

-- Tenant isolation for the tables of this and later migrations, the same for every table:
-- ENABLE + FORCE row-level security and one policy on tenant_id.
CREATE FUNCTION app_isolate_tenant_tables(tables text[]) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY tables
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t || '_of_tenant', t);
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION app_isolate_tenant_tables(text[]) FROM PUBLIC;

-- Append-only tables refuse UPDATE, DELETE and TRUNCATE, whoever asks.
CREATE FUNCTION app_refuse_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TYPE legal_basis AS ENUM ('consent', 'contract', 'legitimate_interest', 'legal_obligation');
CREATE TYPE purpose_status AS ENUM ('draft', 'active', 'retired');

CREATE TABLE purposes (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  key                text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_-]{0,39}$'),
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description        text NOT NULL DEFAULT '',
  legal_basis        legal_basis NOT NULL,
  status             purpose_status NOT NULL DEFAULT 'draft',
  -- Direct marketing: an objection to it is absolute (Art. 21(3)).
  direct_marketing   boolean NOT NULL DEFAULT false,
  -- Shown in the cookie banner under this category (e.g. 'analytics'); null for other purposes.
  cookie_category    text CHECK (cookie_category ~ '^[a-z][a-z0-9_-]{0,39}$'),
  retention          text NOT NULL DEFAULT '',          -- the retention period or rule it follows
  recipients         text[] NOT NULL DEFAULT '{}',      -- who receives the data for this purpose
  -- Consent older than this must be renewed (re-permission); null: consent does not age.
  consent_valid_days integer CHECK (consent_valid_days > 0),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  activated_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, key),
  UNIQUE (tenant_id, cookie_category)
);

-- The balancing test a purpose based on legitimate interest needs before it may be activated.
-- Kept as history: the latest assessment of a purpose is the one in force.
CREATE TABLE legitimate_interest_assessments (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  purpose_id   uuid NOT NULL,
  interest     text NOT NULL CHECK (length(interest) > 0),     -- the interest pursued
  necessity    text NOT NULL CHECK (length(necessity) > 0),    -- why processing is necessary for it
  impact       text NOT NULL CHECK (length(impact) > 0),       -- impact on the person, their expectations
  safeguards   text NOT NULL CHECK (length(safeguards) > 0),
  outcome      text NOT NULL CHECK (outcome IN ('passed', 'failed')),
  reviewer_id  uuid NOT NULL,
  reviewed_on  date NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, purpose_id) REFERENCES purposes (tenant_id, id),
  FOREIGN KEY (tenant_id, reviewer_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX lia_purpose_idx ON legitimate_interest_assessments (tenant_id, purpose_id, created_at);

-- The exact wording a person agreed to, stored once and referenced by its SHA-256.
CREATE TABLE consent_texts (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  text       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, hash)
);

CREATE TYPE person_type AS ENUM ('contact', 'lead');
CREATE TYPE consent_event_kind AS ENUM ('given', 'confirmed', 'withdrawn', 'expired', 'repermission_requested', 'objected');
CREATE TYPE consent_method AS ENUM ('form', 'import', 'api', 'portal', 'verbal', 'email_link', 'cookie_banner');

-- The ledger. Append-only: nothing is ever changed or removed, the current state is derived.
-- A person's id is their data key's id: the IP and user agent are encrypted under it, so erasing
-- the person leaves only the fact (what, when, how) of each consent.
CREATE TABLE consent_events (
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  seq             bigint GENERATED ALWAYS AS IDENTITY,     -- total order of the ledger
  person_type     person_type NOT NULL,
  person_id       uuid NOT NULL,
  purpose_id      uuid NOT NULL,
  kind            consent_event_kind NOT NULL,
  -- A consent given through a double opt-in form is pending until confirmed.
  requires_confirmation boolean NOT NULL DEFAULT false CHECK (NOT requires_confirmation OR kind = 'given'),
  method          consent_method NOT NULL,
  source          text,                                    -- page URL, file name, campaign, ...
  ip_enc          text,
  user_agent_enc  text,
  form_id         uuid,
  form_version    integer,
  policy_version  text,
  text_hash       text,
  actor_type      text NOT NULL CHECK (actor_type IN ('member', 'api_token', 'system', 'data_subject')),
  actor_id        text,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, purpose_id) REFERENCES purposes (tenant_id, id),
  FOREIGN KEY (tenant_id, text_hash) REFERENCES consent_texts (tenant_id, hash),
  CHECK ((form_id IS NULL) = (form_version IS NULL))
);
CREATE INDEX consent_events_person_idx ON consent_events (tenant_id, person_id, purpose_id, seq);
CREATE INDEX consent_events_purpose_idx ON consent_events (tenant_id, purpose_id, seq);

CREATE TRIGGER consent_events_append_only
  BEFORE UPDATE OR DELETE ON consent_events
  FOR EACH ROW EXECUTE FUNCTION app_refuse_change();
CREATE TRIGGER consent_events_no_truncate
  BEFORE TRUNCATE ON consent_events
  FOR EACH STATEMENT EXECUTE FUNCTION app_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON consent_events FROM lawful_app;

-- The current state of each person × purpose, derived from the ledger by its latest
-- state-changing event (a re-permission request changes nothing until answered):
--   pending    given through double opt-in, not yet confirmed
--   granted    given (or confirmed); valid unless the purpose's consent_valid_days has passed
--   withdrawn, expired, objected
-- security_invoker: the view is read under the caller's row-level security, not its owner's.
CREATE VIEW consent_states WITH (security_invoker = true) AS
SELECT DISTINCT ON (tenant_id, person_id, purpose_id)
  tenant_id,
  person_id,
  person_type,
  purpose_id,
  CASE kind
    WHEN 'given' THEN CASE WHEN requires_confirmation THEN 'pending' ELSE 'granted' END
    WHEN 'confirmed' THEN 'granted'
    ELSE kind::text
  END AS state,
  occurred_at AS since,
  id AS event_id
FROM consent_events
WHERE kind <> 'repermission_requested'
ORDER BY tenant_id, person_id, purpose_id, seq DESC;

-- Art. 18: a person whose processing is restricted is stored, not otherwise processed.
CREATE TABLE processing_restrictions (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  person_id     uuid NOT NULL,
  person_type   person_type NOT NULL,
  reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  restricted_at timestamptz NOT NULL DEFAULT now(),
  restricted_by text,
  PRIMARY KEY (tenant_id, person_id)
);

-- Addresses no marketing email goes to: unsubscribed, bounced, complained about it, or added by
-- hand. Keyed by the address's blind index, so the list outlives the erasure of the person
-- without keeping the address itself.
CREATE TYPE suppression_reason AS ENUM ('unsubscribed', 'bounced', 'complained', 'manual');

CREATE TABLE suppressions (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  email_index text NOT NULL,
  reason      suppression_reason NOT NULL,
  detail      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, email_index)
);

-- Every time the gate refused to process a person for a purpose, and on which path.
CREATE TABLE processing_refusals (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  person_id   uuid NOT NULL,
  purpose_id  uuid NOT NULL,
  path        text NOT NULL CHECK (path IN ('campaign', 'export', 'connector_push', 'repermission')),
  ref         text,                                   -- the campaign, export or push refused
  reason      text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, purpose_id) REFERENCES purposes (tenant_id, id)
);
CREATE INDEX processing_refusals_ref_idx ON processing_refusals (tenant_id, path, ref);
CREATE INDEX processing_refusals_person_idx ON processing_refusals (tenant_id, person_id);

SELECT app_isolate_tenant_tables(ARRAY['purposes', 'legitimate_interest_assessments', 'consent_texts', 'consent_events',
                           'processing_restrictions', 'suppressions', 'processing_refusals']);
