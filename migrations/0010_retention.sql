-- Retention (Art. 5(1)(e)): rules that delete or anonymise what is no longer needed, a legal hold
-- that stops them for one record, and the record of every run. A scheduled job applies the rules
-- in batches (src/retention/); a dry run lists what a run would take and why.

CREATE TYPE retention_target AS ENUM ('contact', 'lead', 'email_message', 'portal_link');

CREATE TABLE retention_rules (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  target       retention_target NOT NULL,
  -- People: no activity (record change, note, task, consent event) for this long.
  -- Emails and portal links: created this long ago.
  after_days   integer NOT NULL CHECK (after_days BETWEEN 1 AND 36500),
  action       text NOT NULL CHECK (action IN ('delete', 'anonymise')),
  enabled      boolean NOT NULL DEFAULT true,
  builtin_key  text,                               -- the shipped default this rule started as
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, builtin_key),
  CHECK (action = 'delete' OR target IN ('contact', 'lead'))
);

-- A record under legal hold is kept whatever the rules say, until the hold is released.
CREATE TABLE legal_holds (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  record_type  person_type NOT NULL,
  record_id    uuid NOT NULL,
  reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  placed_by    uuid NOT NULL,
  placed_at    timestamptz NOT NULL DEFAULT now(),
  released_at  timestamptz,
  released_by  uuid,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, placed_by) REFERENCES members (tenant_id, id)
);
CREATE UNIQUE INDEX legal_holds_active_key ON legal_holds (tenant_id, record_id) WHERE released_at IS NULL;

-- Each batch a run applies, with its counts; a run interrupted by a crash simply continues.
CREATE TABLE retention_runs (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  rule_id      uuid NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  applied      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, rule_id) REFERENCES retention_rules (tenant_id, id)
);
CREATE INDEX retention_runs_rule_idx ON retention_runs (tenant_id, rule_id, started_at);

-- An anonymised person keeps the record's non-personal facts (company, status, country, dates).
ALTER TABLE contacts ADD COLUMN anonymised_at timestamptz;
ALTER TABLE leads ADD COLUMN anonymised_at timestamptz;

SELECT app_isolate_tenant_tables(ARRAY['retention_rules', 'legal_holds', 'retention_runs']);
