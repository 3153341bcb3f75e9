-- The CRM itself: accounts (companies), contacts and leads (people), opportunities, tasks,
-- notes, and custom fields.
--
-- Company data stays in clear. Every value about a person is encrypted under that person's own
-- data key (subject_keys; src/crypto) and found again through blind indexes (keyed HMACs of the
-- normalised value). The columns are declared in src/inventory, which drives access reports,
-- erasure and retention. A person's id is also the id of their data key, so destroying that key
-- erases every copy of their data, in this database and in backups.

-- Where a person's data came from (Art. 14): recorded on every contact and lead.
CREATE TYPE provenance_source AS ENUM ('form', 'import', 'api', 'connector', 'manual', 'third_party');

CREATE TABLE accounts (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  -- Normalised (lower case, no scheme, no www.), the key imports deduplicate companies on.
  domain      text CHECK (domain ~ '^[a-z0-9.-]+\.[a-z]{2,}$'),
  industry    text,
  size        text CHECK (size IN ('1-10', '11-50', '51-200', '201-1000', '1001-5000', '5001+')),
  country     char(2) CHECK (country ~ '^[A-Z]{2}$'),     -- ISO 3166-1 alpha-2
  owner_id    uuid NOT NULL,
  custom      jsonb NOT NULL DEFAULT '{}',
  created_by  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES members (tenant_id, id)
);
CREATE UNIQUE INDEX accounts_domain_key ON accounts (tenant_id, domain) WHERE domain IS NOT NULL;
CREATE INDEX accounts_name_idx ON accounts (tenant_id, lower(name));
CREATE INDEX accounts_owner_idx ON accounts (tenant_id, owner_id);

CREATE TABLE contacts (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,                 -- also the id of the person's data key
  first_name_enc    text,
  last_name_enc     text,
  emails_enc        text,                          -- JSON array of addresses, encrypted as one value
  phones_enc        text,                          -- JSON array of numbers, encrypted as one value
  job_title_enc     text,
  custom_personal_enc text,                        -- JSON of the custom fields flagged personal
  email_index       text[] NOT NULL DEFAULT '{}',  -- blind index of each address
  name_index        text[] NOT NULL DEFAULT '{}',  -- blind index of each name token
  account_id        uuid,
  owner_id          uuid NOT NULL,
  country           char(2) CHECK (country ~ '^[A-Z]{2}$'),
  custom            jsonb NOT NULL DEFAULT '{}',
  source_type       provenance_source NOT NULL,
  source_ref        text,                          -- file name, form id, connector id, provider
  collected_at      timestamptz NOT NULL,
  collected_by      uuid,                          -- the member who brought the data in
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX contacts_email_idx ON contacts USING gin (email_index);
CREATE INDEX contacts_name_idx ON contacts USING gin (name_index);
CREATE INDEX contacts_account_idx ON contacts (tenant_id, account_id);
CREATE INDEX contacts_owner_idx ON contacts (tenant_id, owner_id);
CREATE INDEX contacts_created_idx ON contacts (tenant_id, created_at, id);

CREATE TYPE lead_status AS ENUM ('new', 'working', 'qualified', 'unqualified', 'converted');

-- A person and/or a company not yet qualified. The person part is encrypted like a contact's.
CREATE TABLE leads (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  id                uuid NOT NULL,                 -- also the id of the person's data key
  first_name_enc    text,
  last_name_enc     text,
  email_enc         text,
  phone_enc         text,
  job_title_enc     text,
  custom_personal_enc text,
  email_index       text,
  name_index        text[] NOT NULL DEFAULT '{}',
  company_name      text,
  company_domain    text CHECK (company_domain ~ '^[a-z0-9.-]+\.[a-z]{2,}$'),
  status            lead_status NOT NULL DEFAULT 'new',
  source            text,                          -- marketing source: web, event, referral, ...
  owner_id          uuid NOT NULL,
  country           char(2) CHECK (country ~ '^[A-Z]{2}$'),
  custom            jsonb NOT NULL DEFAULT '{}',
  source_type       provenance_source NOT NULL,
  source_ref        text,
  collected_at      timestamptz NOT NULL,
  collected_by      uuid,
  converted_at      timestamptz,
  converted_contact_id uuid,
  converted_account_id uuid,
  converted_opportunity_id uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES members (tenant_id, id),
  CHECK (first_name_enc IS NOT NULL OR last_name_enc IS NOT NULL OR email_enc IS NOT NULL OR company_name IS NOT NULL)
);
CREATE INDEX leads_email_idx ON leads (tenant_id, email_index);
CREATE INDEX leads_name_idx ON leads USING gin (name_index);
CREATE INDEX leads_owner_idx ON leads (tenant_id, owner_id);

CREATE TYPE opportunity_stage AS ENUM ('prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost');

CREATE TABLE opportunities (
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  id                  uuid NOT NULL DEFAULT gen_random_uuid(),
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  account_id          uuid,
  stage               opportunity_stage NOT NULL DEFAULT 'prospecting',
  amount              numeric(18, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
  currency            char(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),  -- ISO 4217
  expected_close_date date,
  probability         integer CHECK (probability BETWEEN 0 AND 100),
  owner_id            uuid NOT NULL,
  custom              jsonb NOT NULL DEFAULT '{}',
  closed_at           timestamptz,
  created_by          uuid NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id) ON DELETE SET NULL (account_id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX opportunities_account_idx ON opportunities (tenant_id, account_id);
CREATE INDEX opportunities_stage_idx ON opportunities (tenant_id, stage);
CREATE INDEX opportunities_owner_idx ON opportunities (tenant_id, owner_id);

CREATE TABLE opportunity_contacts (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  opportunity_id uuid NOT NULL,
  contact_id     uuid NOT NULL,
  PRIMARY KEY (tenant_id, opportunity_id, contact_id),
  FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunities (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_contacts_contact_idx ON opportunity_contacts (tenant_id, contact_id);

CREATE TYPE crm_record_type AS ENUM ('account', 'contact', 'lead', 'opportunity');

-- Free text may say anything about a person, so titles and bodies are encrypted: under the key
-- of the person the record is about (contact, lead), or under a key of the task or note itself.
CREATE TABLE tasks (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  title_enc    text NOT NULL,
  key_id       uuid NOT NULL,                      -- the data key the title is encrypted under
  due_at       timestamptz,
  assignee_id  uuid NOT NULL,
  done         boolean NOT NULL DEFAULT false,
  done_at      timestamptz,
  record_type  crm_record_type,
  record_id    uuid,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, assignee_id) REFERENCES members (tenant_id, id),
  CHECK ((record_type IS NULL) = (record_id IS NULL))
);
CREATE INDEX tasks_assignee_idx ON tasks (tenant_id, assignee_id, done, due_at);
CREATE INDEX tasks_record_idx ON tasks (tenant_id, record_type, record_id);

CREATE TYPE note_kind AS ENUM ('note', 'call', 'email', 'meeting');

CREATE TABLE notes (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL,
  kind         note_kind NOT NULL DEFAULT 'note',
  body_enc     text NOT NULL,
  key_id       uuid NOT NULL,
  record_type  crm_record_type NOT NULL,
  record_id    uuid NOT NULL,
  author_id    uuid NOT NULL,
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, author_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX notes_record_idx ON notes (tenant_id, record_type, record_id, occurred_at);

CREATE TYPE custom_field_type AS ENUM ('text', 'number', 'date', 'boolean', 'single_select', 'multi_select');

-- Custom fields per object. A field flagged personal is enrolled in the data inventory: its
-- values are stored encrypted (custom_personal_enc) and appear in access reports and erasure.
CREATE TABLE custom_fields (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  object      crm_record_type NOT NULL,
  key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
  type        custom_field_type NOT NULL,
  options     text[] NOT NULL DEFAULT '{}',
  personal    boolean NOT NULL DEFAULT false,
  position    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, object, key),
  CHECK (NOT personal OR object IN ('contact', 'lead')),
  CHECK ((type IN ('single_select', 'multi_select')) = (cardinality(options) > 0))
);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['accounts', 'contacts', 'leads', 'opportunities', 'opportunity_contacts', 'tasks', 'notes', 'custom_fields']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())', t || '_of_tenant', t);
  END LOOP;
END
$$;
