-- People who sign in. A user is global (one email, one password, one second factor) and
-- belongs to workspaces through memberships; a membership carries the role.

-- Global: login looks a user up by email before any workspace is known. Holds staff
-- personal data (email, name), declared in src/inventory.
CREATE TABLE users (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email               text NOT NULL,
  name                text NOT NULL,
  password_hash       text NOT NULL,             -- Argon2id, PHC string
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  totp_secret_enc     text,                      -- encrypted under the system key
  totp_enabled_at     timestamptz,
  totp_last_step      bigint,                    -- refuses replay of a code already used
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TYPE member_role AS ENUM (
  'administrator', 'company_manager', 'marketing_manager',
  'sales_manager', 'salesperson', 'jr_salesperson'
);

-- Tenant-owned: the role of a user in one workspace.
CREATE TABLE members (
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id        uuid NOT NULL REFERENCES users (id),
  role           member_role NOT NULL,
  -- Data protection officer: sees the compliance settings and registers whatever the role.
  is_dpo         boolean NOT NULL DEFAULT false,
  -- Managers see the records of the members of their team (CRM visibility).
  team           text,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  deactivated_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, user_id)
);
CREATE INDEX members_user_idx ON members (user_id);

-- Tenant-owned: an invitation to join a workspace, accepted through a one-time token link.
CREATE TABLE invitations (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  email       text NOT NULL,
  role        member_role NOT NULL,
  is_dpo      boolean NOT NULL DEFAULT false,
  token_hash  bytea NOT NULL,                  -- SHA-256 of the secret part of the link
  invited_by  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at  timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, invited_by) REFERENCES members (tenant_id, id)
);

-- Global: a browser session of a user, in the workspace the user is working in now.
-- Only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash   bytea NOT NULL UNIQUE,
  user_id      uuid NOT NULL REFERENCES users (id),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  -- Signed in with password, but the workspace requires a second factor not yet set up:
  -- the session may only enrol TOTP or sign out.
  mfa_pending  boolean NOT NULL DEFAULT false,
  ip           text,
  user_agent   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,           -- absolute lifetime; idle timeout from last_seen_at
  revoked_at   timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Tenant-owned: API tokens for integrations. The token acts with the intersection of its
-- scopes and the permissions of the member who created it.
CREATE TABLE api_tokens (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  member_id    uuid NOT NULL,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash   bytea NOT NULL,
  scopes       text[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);

-- Global: failed sign-in counters per account and per client address, shared by every app
-- node so that lockout holds across a cluster.
CREATE TABLE auth_throttle (
  key             text PRIMARY KEY,            -- 'account:<sha256 of email>' or 'ip:<address>'
  failures        integer NOT NULL,
  window_start    timestamptz NOT NULL,
  locked_until    timestamptz
);

-- Row-level security. Tenant-owned tables FORCE it so that even their owner is filtered.
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY members_of_tenant ON members
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
-- A user may list their own memberships across workspaces (login, workspace switcher).
CREATE POLICY members_of_user ON members FOR SELECT
  USING (user_id = app_current_user());

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_of_tenant ON invitations
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_of_tenant ON api_tokens
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());

-- Workspaces are visible to their own transactions and to their members; anyone may create one
-- (sign-up), nobody but the workspace itself may change it.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
-- Not FORCEd: the schema owner lists workspaces for maintenance (key rotation, audit verify, jobs)
-- and then works in each through a tenant transaction.
CREATE POLICY tenants_visible ON tenants FOR SELECT
  USING (id = app_current_tenant()
         OR id IN (SELECT m.tenant_id FROM members m WHERE m.user_id = app_current_user()));
CREATE POLICY tenants_signup ON tenants FOR INSERT WITH CHECK (true);
CREATE POLICY tenants_update_own ON tenants FOR UPDATE
  USING (id = app_current_tenant()) WITH CHECK (id = app_current_tenant());
