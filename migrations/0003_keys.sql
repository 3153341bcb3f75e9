-- Envelope encryption: master key (outside the database) -> tenant keys -> data-subject keys.
-- Every key stored here is wrapped (AES-256-GCM) by the key above it. Destroying a subject key
-- makes every copy of that person's encrypted fields unreadable, old backups included.

-- Global: keys of the installation itself (e.g. TOTP secrets, CSRF tokens), wrapped by the master key.
CREATE TABLE system_keys (
  id            text PRIMARY KEY,              -- purpose, e.g. 'system'
  wrapped_key   bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON system_keys FROM lawful_app;
GRANT SELECT, INSERT ON system_keys TO lawful_app;

-- Tenant-owned: the workspace's keys, wrapped by the master key. 'data' wraps subject keys
-- (versioned so it can be rotated); 'index' keys the blind indexes (HMAC), which must stay
-- stable for lookups to keep working.
CREATE TABLE tenant_keys (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            integer NOT NULL,              -- version, increasing
  purpose       text NOT NULL CHECK (purpose IN ('data', 'index')),
  wrapped_key   bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  retired_at    timestamptz,
  PRIMARY KEY (tenant_id, id)
);

-- Tenant-owned: one data key per data subject (contact, lead, ...), wrapped by a tenant data key.
-- Crypto-shredding sets wrapped_key to NULL and records when.
CREATE TABLE subject_keys (
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  id                 uuid NOT NULL,            -- the data subject's id
  wrapped_key        bytea,
  tenant_key_version integer NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  destroyed_at       timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, tenant_key_version) REFERENCES tenant_keys (tenant_id, id),
  CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);

ALTER TABLE tenant_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_keys_of_tenant ON tenant_keys
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE subject_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE subject_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY subject_keys_of_tenant ON subject_keys
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
