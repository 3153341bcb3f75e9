-- Sub-processors and international transfers (Art. 28, 44-46): who processes personal data for
-- the workspace, where, under which safeguard and agreement; every change is logged, and the
-- list is public per workspace (/privacy/<slug>/subprocessors).

CREATE TYPE transfer_safeguard AS ENUM ('eea', 'adequacy', 'sccs', 'bcr');

CREATE TABLE subprocessors (
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),   -- a company
  service              text NOT NULL CHECK (length(service) BETWEEN 1 AND 500),
  data_categories      text[] NOT NULL DEFAULT '{}',
  country              char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  -- 'eea': no transfer; otherwise the Art. 45/46 ground of the transfer.
  safeguard            transfer_safeguard NOT NULL,
  scc_module           smallint CHECK (scc_module BETWEEN 1 AND 4),
  scc_version          text,
  agreement_ref        text NOT NULL DEFAULT '',                               -- the DPA on file
  agreement_signed_on  date,
  agreement_expires_on date,
  active               boolean NOT NULL DEFAULT true,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK ((safeguard = 'sccs') = (scc_module IS NOT NULL AND scc_version IS NOT NULL))
);

CREATE TABLE subprocessor_changes (
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  subprocessor_id  uuid NOT NULL,
  change           text NOT NULL CHECK (change IN ('added', 'updated', 'removed')),
  fields           text[] NOT NULL DEFAULT '{}',
  changed_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, subprocessor_id) REFERENCES subprocessors (tenant_id, id)
);
CREATE INDEX subprocessor_changes_time_idx ON subprocessor_changes (tenant_id, changed_at);

SELECT app_isolate_tenant_tables(ARRAY['subprocessors', 'subprocessor_changes']);

-- The register of processing activities (Art. 30) is computed from purposes, the data inventory
-- and sub-processors; each saved version is kept with what changed, as its history.
CREATE TABLE register_versions (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  version     integer NOT NULL CHECK (version >= 1),
  content     jsonb NOT NULL,
  changes     text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text,
  PRIMARY KEY (tenant_id, version)
);

SELECT app_isolate_tenant_tables(ARRAY['register_versions']);
