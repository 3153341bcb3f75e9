-- Tenancy is enforced by PostgreSQL itself.
--
-- The application never works on tenant data as the role that owns the schema: every
-- transaction it opens switches to `lawful_app` (SET LOCAL ROLE), a role without SUPERUSER
-- or BYPASSRLS. Row-level security policies on every tenant-owned table then restrict what
-- `lawful_app` sees to the tenant named by the transaction-local setting `app.tenant_id`.
-- A query that forgets its WHERE tenant_id = ... clause therefore still sees one tenant only.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lawful_app') THEN
    CREATE ROLE lawful_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION
  -- Several databases on one cluster may be migrated at once; the role is cluster-wide.
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO lawful_app;

-- Tables created by later migrations are readable and writable by the app role unless a
-- migration revokes a privilege explicitly (the audit trail revokes UPDATE and DELETE).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO lawful_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO lawful_app;

-- The tenant of the current transaction, or NULL outside a tenant transaction.
CREATE FUNCTION app_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- The signed-in user of the current transaction, set only by authentication code that has
-- to look across the user's own workspaces (login, workspace switcher), never together with
-- app.tenant_id.
CREATE FUNCTION app_current_user() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

-- A tenant is a workspace: one customer organisation, the controller of the personal data
-- kept in it.
CREATE TABLE tenants (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug               text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- Once set, every Administrator must sign in with a second factor.
  require_admin_totp boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now()
);
